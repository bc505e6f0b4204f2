namespace Granary.Testing;

/// <summary>The pinned tools <c>deploy/local/bootstrap tools</c> puts in <c>.granary/tools/bin</c>, installed on first use.</summary>
public static class Tools
{
    private static readonly Lazy<string> Bin = new(() =>
    {
        Bootstrap.Run("tools", TimeSpan.FromMinutes(10));
        return Path.Combine(RepositoryRoot.Path, ".granary", "tools", "bin");
    });

    /// <summary>kubectl 1.35 (with built-in kustomize).</summary>
    public static string Kubectl => Path.Combine(Bin.Value, "kubectl");

    /// <summary>helm v4.</summary>
    public static string Helm => Path.Combine(Bin.Value, "helm");

    /// <summary>age.</summary>
    public static string Age => Path.Combine(Bin.Value, "age");
}
