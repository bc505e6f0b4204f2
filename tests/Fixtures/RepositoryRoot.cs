namespace Granary.Testing;

/// <summary>Finds the checkout's root (the folder holding Orleans.sln) from wherever a test binary runs.</summary>
public static class RepositoryRoot
{
    /// <summary>The absolute path of the repository root.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Orleans.sln above {AppContext.BaseDirectory}; run tests from inside the Granary checkout.");
    }
}
