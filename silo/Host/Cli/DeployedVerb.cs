using System.Globalization;
using System.Text.Json.Nodes;
using Granary.Contracts.Resources;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary deployed [--cluster c] --since t [--until t]</c>: every apply, prune, release and rollback recorded for a
/// cluster in <c>[since, until)</c>, oldest first: TIME, RESOURCE, REVISION, COMMIT, OBJECTS, ACTOR.
/// </summary>
public static class DeployedVerb
{
    private static readonly CliOption Cluster = new("--cluster", null, true, "management (default), a Cluster's name or namespace/name, or kubeconfig:<secret>");
    private static readonly CliOption Since = new("--since", null, true, "the window's start: ISO 8601, or a duration ago such as 2h");
    private static readonly CliOption Until = new("--until", null, true, "the window's end (excluded): ISO 8601, or a duration ago (default now)");
    private static readonly CliOption Changes = new("--objects", null, false, "list every changed object below its row");

    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "deployed", "deployed --since <time> [--until <time>] [--cluster c] [--objects] [-o table|json|yaml]",
        "everything deployed to a cluster in [since, until): applies, prunes, releases (read)",
        [Cluster, Since, Until, Changes, Printing.OutputOption], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var format = Printing.FormatOf(session.Arguments);
        var now = DateTimeOffset.UtcNow;
        var since = Instant(session.Arguments.Value(Since.Name) ?? throw new CliUsageException("--since is required (e.g. --since 2h or --since 2026-11-22T14:00:00Z)"), Since.Name, now);
        var query = $"since={Uri.EscapeDataString(since)}";
        if (session.Arguments.Value(Until.Name) is { } until)
        {
            query += $"&until={Uri.EscapeDataString(Instant(until, Until.Name, now))}";
        }

        if (session.Arguments.Value(Cluster.Name) is { } cluster)
        {
            query += $"&cluster={Uri.EscapeDataString(cluster)}";
        }

        var window = await session.Api.GetJsonAsync($"audit/deployed?{query}", cancellationToken);
        if (format != OutputFormat.Table)
        {
            await Printing.WriteAsync(session.Output, window, format);
            return 0;
        }

        var items = window["items"] as JsonArray ?? [];
        var output = session.Output;
        await output.WriteLineAsync($"# cluster {Printing.Text(window, "cluster")}, {Printing.Time(Printing.Text(window, "since"))} to {Printing.Time(Printing.Text(window, "until"))}: {items.Count} deployments");
        var table = new TextTable("TIME", "RESOURCE", "REVISION", "COMMIT", "OBJECTS", "ACTOR");
        var rows = new List<JsonNode>();
        foreach (var item in items.Where(i => i is not null).Select(i => i!))
        {
            var objects = (item["objects"] as JsonArray ?? []).Select(o => o!.GetValue<string>()).ToList();
            table.Add(
                Printing.Time(Printing.Text(item, "event.time")),
                $"{Printing.Text(item, "kind")}/{Printing.Text(item, "namespace")}/{Printing.Text(item, "name")}",
                Printing.Text(item, "revision") ?? "-",
                Printing.Text(item, "commit") is { } commit ? commit[..Math.Min(12, commit.Length)] : "-",
                Count(objects),
                Printing.Text(item, "event.actor") ?? HistoryVerb.ControlLoop);
            rows.Add(item);
        }

        var lines = table.Lines().ToList();
        await output.WriteLineAsync(lines[0]);
        for (var i = 0; i < rows.Count; i++)
        {
            await output.WriteLineAsync(lines[i + 1]);
            if (session.Arguments.Flag(Changes.Name))
            {
                foreach (var change in rows[i]["objects"] as JsonArray ?? [])
                {
                    await output.WriteLineAsync($"    {change!.GetValue<string>()}");
                }
            }
        }

        return 0;
    }

    /// <summary><c>3 created, 1 configured</c>: how many objects each action changed; <c>none</c> when none.</summary>
    private static string Count(IReadOnlyList<string> objects) => objects.Count == 0 ? "none"
        : string.Join(", ", objects.GroupBy(o => o[(o.LastIndexOf(' ') + 1)..]).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>An instant given as ISO 8601, or as a Go duration meaning that long before <paramref name="now"/>.</summary>
    private static string Instant(string text, string option, DateTimeOffset now)
    {
        if (GoDuration.TryParse(text, out var ago, out _))
        {
            return (now - ago.Value).ToString("O", CultureInfo.InvariantCulture);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.ToString("O", CultureInfo.InvariantCulture)
            : throw new CliUsageException($"{option}: '{text}' is neither an ISO 8601 time (2026-11-22T14:02:00Z) nor a duration (2h, 30m)");
    }
}
