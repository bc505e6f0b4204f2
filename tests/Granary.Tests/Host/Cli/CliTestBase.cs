using System.Text.RegularExpressions;
using Granary.Silo.Cli;

namespace Granary.Tests.Host.Cli;

/// <summary>A host started in-process (see <see cref="HostTestBase"/>) and the <c>granary</c> client verbs run against it in-process.</summary>
public abstract partial class CliTestBase : HostTestBase
{
    private readonly List<string> _directories = [];

    /// <summary>Runs <c>granary <paramref name="args"/></c> against the host with <paramref name="token"/>; returns the exit code and what it wrote.</summary>
    protected async Task<CliRun> RunAsync(string? token, params string[] args)
    {
        string[] connection = ["--server", Host.Address.ToString(), .. token is null ? Array.Empty<string>() : ["--token", token]];
        return await CliRun.RunAsync([.. args, .. connection]);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A directory for this test's files, deleted after it.</summary>
    protected string NewDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("granary-cli-").FullName;
        _directories.Add(directory);
        return directory;
    }

    /// <summary>A file holding <paramref name="yaml"/>, named <paramref name="name"/> under <paramref name="directory"/> (a new one when null).</summary>
    protected string WriteYaml(string yaml, string name = "resources.yaml", string? directory = null)
    {
        directory ??= NewDirectory();
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Starts <c>granary <paramref name="args"/></c> against the host with <paramref name="token"/>, to run until interrupted.</summary>
    protected RunningCli Start(string token, params string[] args) => new([.. args, "--server", Host.Address.ToString(), "--token", token]);

    /// <summary>A Kustomization of <c>./apps</c> from GitRepository <c>fleet</c>, with <paramref name="specLines"/> added to its spec.</summary>
    protected string KustomizationYaml(string name, params string[] specLines) => KustomizationAt(name, "./apps", specLines);

    /// <summary>A Kustomization of <paramref name="path"/> from GitRepository <c>fleet</c>, with prune and <paramref name="specLines"/> (one line each, flow style for maps) added to its spec.</summary>
    protected string KustomizationAt(string name, string path, params string[] specLines) => $"""
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: {name}
          namespace: {Ns}
        spec:
          sourceRef:
            kind: GitRepository
            name: fleet
          path: {path}
          prune: true
        """ + string.Concat(specLines.Select(line => "\n  " + line));

    /// <summary>What <see cref="Normalise"/> puts in place of a commit hash: as wide, so table columns keep their widths.</summary>
    protected static readonly string Commit = new('0', 40);

    /// <summary><paramref name="text"/> with what changes between runs replaced: commit hashes (by <see cref="Commit"/>), this test's namespace.</summary>
    protected string Normalise(string text) => Sha().Replace(text.Replace(Ns, "<ns>"), Commit);

    [GeneratedRegex("[0-9a-f]{40}")]
    private static partial Regex Sha();
}

/// <summary>One in-process run of the CLI.</summary>
/// <param name="ExitCode">What it returned.</param>
/// <param name="Output">What it wrote to standard output.</param>
/// <param name="Error">What it wrote to standard error.</param>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <c>granary <paramref name="args"/></c> with no GRANARY_* variables set.</summary>
    public static async Task<CliRun> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var code = await CliApp.RunAsync(args, output, error, _ => null, timeout.Token);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <inheritdoc/>
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
