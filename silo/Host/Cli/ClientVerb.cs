namespace Granary.Silo.Cli;

/// <summary>A client verb of the <c>granary</c> executable: its name, usage line, options, and what it does.</summary>
/// <param name="Name">The verb, e.g. <c>get</c>.</param>
/// <param name="Usage">Its usage line, without <c>granary</c>.</param>
/// <param name="Summary">What it does, in one line.</param>
/// <param name="Options">The options it takes besides the connection options.</param>
/// <param name="RunAsync">Runs it; returns the exit code.</param>
public sealed record ClientVerb(string Name, string Usage, string Summary, IReadOnlyList<CliOption> Options, Func<CliSession, CancellationToken, Task<int>> RunAsync);

/// <summary>What a running verb works with: its arguments, the API, and where to write.</summary>
/// <param name="Arguments">The parsed command line.</param>
/// <param name="Api">The API client.</param>
/// <param name="Output">Standard output: results.</param>
/// <param name="Error">Standard error: diagnostics.</param>
/// <param name="Environment">Reads an environment variable (null when unset).</param>
public sealed record CliSession(CliArguments Arguments, ApiClient Api, TextWriter Output, TextWriter Error, Func<string, string?> Environment)
{
    /// <summary>The namespace flux uses when none is given.</summary>
    public const string DefaultNamespace = "flux-system";

    /// <summary>The <c>-n/--namespace</c> option.</summary>
    public static readonly CliOption NamespaceOption = new("--namespace", "-n", true, $"the resource's namespace (default {DefaultNamespace})");

    /// <summary>The namespace given with <c>-n</c>, or the default.</summary>
    public string Namespace => Arguments.Value(NamespaceOption.Name) ?? DefaultNamespace;

    /// <summary>The positional argument at <paramref name="index"/>, or a usage error naming <paramref name="what"/>.</summary>
    public string Required(int index, string what) =>
        index < Arguments.Positional.Count ? Arguments.Positional[index] : throw new CliUsageException($"{what} is required");

    /// <summary>The API path of a resource, <c>resources/{kind}/{ns}/{name}</c>, with an optional suffix.</summary>
    public string ResourcePath(string kind, string name, string? suffix = null) =>
        $"resources/{Uri.EscapeDataString(kind)}/{Uri.EscapeDataString(Namespace)}/{Uri.EscapeDataString(name)}{(suffix is null ? string.Empty : "/" + suffix)}";
}
