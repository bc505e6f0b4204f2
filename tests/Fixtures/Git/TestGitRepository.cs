using System.Diagnostics;

namespace Granary.Testing.Git;

/// <summary>A real Git repository in a temp directory, driven through the git CLI and served as a file:// URL.</summary>
public sealed class TestGitRepository : IDisposable
{
    private TestGitRepository(string path) => WorkTree = path;

    /// <summary>The repository's work tree.</summary>
    public string WorkTree { get; }

    /// <summary>The file:// URL GitSource reads it through.</summary>
    public string Url => "file://" + WorkTree;

    /// <summary>Creates an empty repository whose first branch is <paramref name="branch"/>.</summary>
    public static TestGitRepository Create(string branch = "main")
    {
        var path = Path.Combine(Path.GetTempPath(), "granary-test-repo-" + Path.GetRandomFileName());
        Directory.CreateDirectory(path);
        var repository = new TestGitRepository(path);
        repository.Git("init", "--quiet", "--initial-branch", branch);
        return repository;
    }

    /// <summary>Writes <paramref name="files"/> (relative path → content), commits everything and returns the commit SHA.</summary>
    public string Commit(IReadOnlyDictionary<string, string> files, string message = "change")
    {
        foreach (var (relative, content) in files)
        {
            var full = Path.Combine(WorkTree, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }

        Git("add", "--all");
        Git("commit", "--quiet", "--allow-empty", "-m", message);
        return Head();
    }

    /// <summary>Deletes <paramref name="paths"/> from the work tree; the next <see cref="Commit"/> records it.</summary>
    public void Remove(params string[] paths)
    {
        foreach (var relative in paths)
        {
            File.Delete(Path.Combine(WorkTree, relative));
        }
    }

    /// <summary>The SHA of HEAD.</summary>
    public string Head() => Git("rev-parse", "HEAD").Trim();

    /// <summary>Runs git in the work tree with a neutral config and returns its output; fails the test on error.</summary>
    public string Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = WorkTree };
        foreach (var argument in new[] { "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
        }

        return output.Result;
    }

    /// <summary>Deletes the repository.</summary>
    public void Dispose() => Directory.Delete(WorkTree, recursive: true);
}
