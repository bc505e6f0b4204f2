using System.Text.Json.Nodes;

namespace Granary.Silo.Cli;

/// <summary><c>granary history &lt;kind&gt; &lt;name&gt;</c>: the resource's events as a timeline (TIME, TYPE, ACTOR, SUMMARY), every page.</summary>
public static class HistoryVerb
{
    /// <summary>How the timeline names events the control loop caused (they have no actor).</summary>
    public const string ControlLoop = "(controller)";

    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "history", "history <kind> <name> [-n ns] [-o table|json|yaml]", "a resource's timeline: time, type, actor, summary (read)",
        [CliSession.NamespaceOption, Printing.OutputOption], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var format = Printing.FormatOf(session.Arguments);
        var path = session.ResourcePath(session.Required(0, "<kind>"), session.Required(1, "<name>"), "history");
        var items = new JsonArray();
        long? from = 1;
        while (from is { } version)
        {
            var page = await session.Api.GetJsonAsync($"{path}?from={version}", cancellationToken);
            foreach (var item in (page["items"] as JsonArray ?? []).ToList())
            {
                items.Add(item?.DeepClone());
            }

            from = page["next"]?.GetValue<long>();
        }

        if (format != OutputFormat.Table)
        {
            await Printing.WriteAsync(session.Output, new JsonObject { ["items"] = items }, format);
            return 0;
        }

        await Timeline(items).WriteAsync(session.Output);
        return 0;
    }

    /// <summary>History entries (the API's <c>HistoryEntry</c> JSON) as a TIME, TYPE, ACTOR, SUMMARY table.</summary>
    public static TextTable Timeline(IEnumerable<JsonNode?> entries)
    {
        var table = new TextTable("TIME", "TYPE", "ACTOR", "SUMMARY");
        foreach (var entry in entries)
        {
            table.Add(Printing.Time(Printing.Text(entry, "time")), Printing.Text(entry, "type"), Printing.Text(entry, "actor") ?? ControlLoop, Printing.Text(entry, "summary"));
        }

        return table;
    }
}
