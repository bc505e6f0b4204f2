using System.Text.Json.Nodes;

namespace Granary.Silo.Cli;

/// <summary><c>granary at &lt;time&gt; &lt;kind&gt; &lt;name&gt;</c>: the resource folded from its events up to a time, as YAML (or JSON).</summary>
public static class AtVerb
{
    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "at", "at <time> <kind> <name> [-n ns] [-o yaml|json]", "the resource as it was at an ISO 8601 time (read)",
        [CliSession.NamespaceOption, Printing.OutputOption], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var time = session.Required(0, "<time> (ISO 8601, e.g. 2026-11-22T14:02:00Z)");
        var path = session.ResourcePath(session.Required(1, "<kind>"), session.Required(2, "<name>"), "at");
        var state = await session.Api.GetJsonAsync($"{path}?time={Uri.EscapeDataString(time)}", cancellationToken);
        var format = Printing.FormatOf(session.Arguments);
        if (format == OutputFormat.Table)
        {
            // A table would hide the spec, which is what this question is about: YAML unless JSON is asked for.
            await session.Output.WriteLineAsync($"# as of {Printing.Time(Printing.Text(state, "asOf"))}");
            await Printing.WriteAsync(session.Output, state["resource"] ?? new JsonObject(), OutputFormat.Yaml);
            return 0;
        }

        await Printing.WriteAsync(session.Output, state, format);
        return 0;
    }
}
