using Granary.Testing;

namespace Granary.Demo;

/// <summary>What the demo launcher was asked to do, from flags first, then <c>GRANARY_*</c> variables, then defaults.</summary>
public sealed record DemoOptions
{
    /// <summary>The management cluster to use instead of local control planes (<c>--kubeconfig</c>, <c>GRANARY_KUBECONFIG</c>).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>With <see cref="Kubeconfig"/>, the cluster for the production overlay (<c>--production-kubeconfig</c>); none leaves production out.</summary>
    public string? ProductionKubeconfig { get; init; }

    /// <summary>The fleet repository to serve (<c>--examples</c>, default <c>examples/</c> of the checkout).</summary>
    public required string Examples { get; init; }

    /// <summary>Where the demo keeps its Git repository, token, silo config, data and log (<c>--work-dir</c>, default <c>.granary/demo</c>).</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>The silo's API address (<c>--listen</c>, <c>GRANARY_LISTEN</c>, default <c>http://127.0.0.1:9090</c>).</summary>
    public required Uri Listen { get; init; }

    /// <summary>The event store schema, emptied at start (<c>GRANARY_SCHEMA</c>, default <c>demo</c>).</summary>
    public required string Schema { get; init; }

    /// <summary>Run headless and exit once everything is Ready (<c>GRANARY_DEMO_EXIT_WHEN_READY=1</c>).</summary>
    public bool ExitWhenReady { get; init; }

    /// <summary>How long a headless run waits for everything to be Ready (<c>GRANARY_DEMO_DEADLINE</c>, e.g. <c>300s</c> or <c>5m</c>).</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The silo command line (after <c>--</c>), e.g. <c>dotnet silo/Host/bin/Release/net10.0/granary.dll run</c>.</summary>
    public required IReadOnlyList<string> SiloCommand { get; init; }

    /// <summary>Whether the demo starts its own local control planes.</summary>
    public bool UsesLocalClusters => Kubeconfig is null;

    /// <summary>Whether the production overlay is part of this run.</summary>
    public bool HasProduction => UsesLocalClusters || ProductionKubeconfig is not null;

    /// <summary>The usage line.</summary>
    public const string Usage =
        "usage: granary-demo [--kubeconfig FILE [--production-kubeconfig FILE]] [--listen URL] [--examples DIR] [--work-dir DIR] -- <silo command...>";

    /// <summary>Reads the command line and environment; throws <see cref="ArgumentException"/> naming a bad flag.</summary>
    public static DemoOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        var separator = args.ToList().IndexOf("--");
        var own = separator < 0 ? args : args.Take(separator).ToList();
        var silo = separator < 0 ? [] : args.Skip(separator + 1).ToList();
        string[] known = ["--kubeconfig", "--production-kubeconfig", "--listen", "--examples", "--work-dir"];
        for (var i = 0; i < own.Count; i++)
        {
            var (name, value) = own[i].Split('=', 2) is [var n, var v] ? (n, (string?)v) : (own[i], null);
            if (!known.Contains(name))
            {
                throw new ArgumentException($"unknown flag '{own[i]}'; the flags are {string.Join(", ", known)}, then -- and the silo command");
            }

            value ??= i + 1 < own.Count ? own[++i] : throw new ArgumentException($"{name} needs a value");
            flags[name] = value;
        }

        if (silo.Count == 0)
        {
            throw new ArgumentException("the silo command is missing: put it after --, e.g. -- dotnet silo/Host/bin/Release/net10.0/granary.dll run");
        }

        string? Setting(string flag, string variable) => flags.TryGetValue(flag, out var v) ? v : NonEmpty(environment(variable));
        var kubeconfig = Setting("--kubeconfig", "GRANARY_KUBECONFIG");
        var production = Setting("--production-kubeconfig", "GRANARY_DEMO_PRODUCTION_KUBECONFIG");
        if (production is not null && kubeconfig is null)
        {
            throw new ArgumentException("--production-kubeconfig needs --kubeconfig (without either the demo starts local staging and production clusters)");
        }

        return new DemoOptions
        {
            Kubeconfig = kubeconfig is null ? null : Path.GetFullPath(kubeconfig),
            ProductionKubeconfig = production is null ? null : Path.GetFullPath(production),
            Examples = Path.GetFullPath(Setting("--examples", "GRANARY_DEMO_EXAMPLES") ?? Path.Combine(RepositoryRoot.Path, "examples")),
            WorkDirectory = Path.GetFullPath(Setting("--work-dir", "GRANARY_DEMO_WORK_DIR") ?? Path.Combine(RepositoryRoot.Path, ".granary", "demo")),
            Listen = new Uri(Setting("--listen", "GRANARY_LISTEN") ?? "http://127.0.0.1:9090"),
            Schema = NonEmpty(environment("GRANARY_SCHEMA")) ?? "demo",
            ExitWhenReady = NonEmpty(environment("GRANARY_DEMO_EXIT_WHEN_READY")) is "1" or "true",
            Deadline = NonEmpty(environment("GRANARY_DEMO_DEADLINE")) is { } deadline ? ParseDuration(deadline) : TimeSpan.FromMinutes(10),
            SiloCommand = silo,
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static TimeSpan ParseDuration(string text) =>
        text.EndsWith('m') && double.TryParse(text[..^1], out var minutes) ? TimeSpan.FromMinutes(minutes)
        : double.TryParse(text.TrimEnd('s'), out var seconds) ? TimeSpan.FromSeconds(seconds)
        : throw new ArgumentException($"GRANARY_DEMO_DEADLINE '{text}' is not a duration; write seconds (300 or 300s) or minutes (5m)");
}
