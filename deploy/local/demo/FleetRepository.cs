using System.Diagnostics;

namespace Granary.Demo;

/// <summary>
/// The demo's fleet repository: a fresh copy of <c>examples/</c> committed to a local Git repository (branch main), with
/// the root GitRepository's URL pointed at that repository, so Granary follows commits made there.
/// </summary>
public sealed class FleetRepository
{
    /// <summary>The placeholder URL of <c>clusters/fleet.yaml</c> in <c>examples/</c>.</summary>
    public const string PlaceholderUrl = "https://github.com/your-org/granary-fleet";

    /// <summary>The root file: Granary's own GitRepository and Kustomization.</summary>
    public const string RootFile = "clusters/fleet.yaml";

    private FleetRepository(string path) => Path = path;

    /// <summary>The working tree (and repository) on disk.</summary>
    public string Path { get; }

    /// <summary>The URL GitRepositories use for it.</summary>
    public string Url => "file://" + Path;

    /// <summary>Replaces <paramref name="path"/> with a copy of <paramref name="examples"/> and commits it; without production, its overlay is left out.</summary>
    public static async Task<FleetRepository> CreateAsync(string examples, string path, bool withProduction, CancellationToken cancellationToken)
    {
        if (!File.Exists(System.IO.Path.Combine(examples, RootFile)))
        {
            throw new InvalidOperationException($"{examples} has no {RootFile}: point --examples at a fleet repository laid out like examples/.");
        }

        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Copy(examples, path);
        var repository = new FleetRepository(path);
        if (!withProduction)
        {
            Directory.Delete(System.IO.Path.Combine(path, "clusters", "production"), recursive: true);
        }

        var root = System.IO.Path.Combine(path, RootFile);
        var text = await File.ReadAllTextAsync(root, cancellationToken);
        if (!text.Contains(PlaceholderUrl, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{System.IO.Path.Combine(examples, RootFile)} does not name {PlaceholderUrl} as the GitRepository url, so the demo cannot point it at its local copy.");
        }

        await File.WriteAllTextAsync(root, text.Replace(PlaceholderUrl, repository.Url, StringComparison.Ordinal), cancellationToken);
        await repository.GitAsync(cancellationToken, "init", "--quiet", "--initial-branch=main");
        await repository.CommitAsync("Demo fleet, copied from examples/", cancellationToken);
        return repository;
    }

    /// <summary>Commits everything in the working tree; returns the commit SHA.</summary>
    public async Task<string> CommitAsync(string message, CancellationToken cancellationToken)
    {
        await GitAsync(cancellationToken, "add", "--all");
        await GitAsync(cancellationToken, "-c", "user.name=Granary demo", "-c", "user.email=demo@granary.invalid", "-c", "commit.gpgsign=false",
            "commit", "--quiet", "--allow-empty", "-m", message);
        return await HeadAsync(cancellationToken);
    }

    /// <summary>The SHA of the commit main points at.</summary>
    public async Task<string> HeadAsync(CancellationToken cancellationToken) => (await GitAsync(cancellationToken, "rev-parse", "HEAD")).Trim();

    private async Task<string> GitAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start) ?? throw new InvalidOperationException("could not start git");
        var output = git.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = git.StandardError.ReadToEndAsync(cancellationToken);
        await git.WaitForExitAsync(cancellationToken);
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} in {Path} failed ({git.ExitCode}): {await errors}");
        }

        return await output;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from).Where(d => System.IO.Path.GetFileName(d) != ".git"))
        {
            Copy(directory, System.IO.Path.Combine(to, System.IO.Path.GetFileName(directory)));
        }
    }
}
