using System.Text.Json.Nodes;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary trace &lt;apiVersion&gt; &lt;kind&gt; &lt;namespace&gt; &lt;name&gt; [--cluster c]</c>: which resource manages a
/// cluster object, the revision and commit that last changed it, and the events that touched it.
/// </summary>
public static class TraceVerb
{
    private static readonly CliOption Cluster = new("--cluster", null, true, "the cluster holding the object (default management)");

    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "trace", "trace <apiVersion> <kind> <namespace> <name> [--cluster c] [-o table|json|yaml]",
        "who manages a cluster object, from which commit (read; namespace '' for cluster-scoped)",
        [Cluster, Printing.OutputOption], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var format = Printing.FormatOf(session.Arguments);
        var query = string.Join("&",
            $"apiVersion={Uri.EscapeDataString(session.Required(0, "<apiVersion>"))}",
            $"kind={Uri.EscapeDataString(session.Required(1, "<kind>"))}",
            $"namespace={Uri.EscapeDataString(session.Required(2, "<namespace>"))}",
            $"name={Uri.EscapeDataString(session.Required(3, "<name>"))}");
        if (session.Arguments.Value(Cluster.Name) is { } cluster)
        {
            query += $"&cluster={Uri.EscapeDataString(cluster)}";
        }

        var trace = await session.Api.GetJsonAsync($"audit/trace?{query}", cancellationToken);
        if (format != OutputFormat.Table)
        {
            await Printing.WriteAsync(session.Output, trace, format);
            return 0;
        }

        var owner = trace["managedBy"];
        var output = session.Output;
        await output.WriteLineAsync($"Object:       {Printing.Text(trace, "object.kind")} {Printing.Text(trace, "object.namespace")}/{Printing.Text(trace, "object.name")} ({Printing.Text(trace, "object.apiVersion")}) in cluster {Printing.Text(trace, "object.cluster")}");
        await output.WriteLineAsync($"Managed by:   {Printing.Text(owner, "kind")} {Printing.Text(owner, "namespace")}/{Printing.Text(owner, "name")} (ready {Printing.Text(owner, "ready")}, last applied {Printing.Text(owner, "lastAppliedRevision") ?? "nothing"})");
        await output.WriteLineAsync($"Source:       {Printing.Text(owner, "sourceRef") ?? "(none)"}");
        await output.WriteLineAsync($"Last change:  {(trace["lastChange"] is { } change ? $"{Printing.Time(Printing.Text(change, "time"))} at revision {Printing.Text(trace, "lastChangeRevision")}" : "none recorded (applied unchanged since adopted)")}");
        await output.WriteLineAsync($"Commit:       {Printing.Text(trace, "source.commit") ?? "(unknown)"}{(trace["source"]?["fetched"] is { } fetched ? $" (fetched {Printing.Time(Printing.Text(fetched, "time"))})" : string.Empty)}");
        await output.WriteLineAsync("Events:");
        foreach (var line in HistoryVerb.Timeline(trace["events"] as JsonArray ?? []).Lines())
        {
            await output.WriteLineAsync("  " + line);
        }

        return 0;
    }
}
