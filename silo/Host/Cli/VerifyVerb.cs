using System.Text.Json.Nodes;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary verify [&lt;kind&gt; &lt;name&gt;]</c>: checks the hash chain of one resource's stream, or of every stream;
/// exits 1 when a chain is broken, naming the stream, the version and why.
/// </summary>
public static class VerifyVerb
{
    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "verify", "verify [<kind> <name>] [-n ns] [-o table|json|yaml]", "check hash chains; exit 1 when one is broken (read)",
        [CliSession.NamespaceOption, Printing.OutputOption], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var format = Printing.FormatOf(session.Arguments);
        var one = session.Arguments.Positional.Count > 0;
        var path = one ? session.ResourcePath(session.Required(0, "<kind>"), session.Required(1, "<name>"), "verify") : "audit/verify";
        var report = await session.Api.GetJsonAsync(path, cancellationToken);
        var intact = report[one ? "isIntact" : "intact"]?.GetValue<bool>() == true;
        if (format != OutputFormat.Table)
        {
            await Printing.WriteAsync(session.Output, report, format);
        }
        else if (one)
        {
            await session.Output.WriteLineAsync(intact
                ? $"{Printing.Text(report, "streamId")}: intact ({Printing.Text(report, "eventsVerified")} events)"
                : $"{Printing.Text(report, "streamId")}: BROKEN at version {Printing.Text(report, "firstBrokenVersion")}: {Printing.Text(report, "reason")}");
        }
        else
        {
            await session.Output.WriteLineAsync($"{(intact ? "intact" : "BROKEN")}: {Printing.Text(report, "streams")} streams, {Printing.Text(report, "eventsVerified")} events verified");
            foreach (var broken in report["broken"] as JsonArray ?? [])
            {
                await session.Output.WriteLineAsync($"  {Printing.Text(broken, "streamId")}: version {Printing.Text(broken, "firstBrokenVersion")}: {Printing.Text(broken, "reason")}");
            }
        }

        return intact ? 0 : 1;
    }
}
