namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary events [--after cursor] [--follow]</c>: the global event feed as NDJSON on standard output, one event a
/// line; the cursor to continue from goes to standard error. <c>--follow</c> keeps polling for new events.
/// </summary>
public static class EventsVerb
{
    /// <summary>How long <c>--follow</c> waits after an empty page.</summary>
    public static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    private static readonly CliOption After = new("--after", null, true, "continue behind this cursor (Granary-Next-Cursor of an earlier page)");
    private static readonly CliOption Follow = new("--follow", null, false, "keep printing new events (Ctrl+C stops)");
    private static readonly CliOption Limit = new("--limit", null, true, "events per request (1 to 10000, default 1000)");

    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "events", "events [--after cursor] [--follow] [--limit n]", "the event feed as NDJSON; the next cursor on stderr (read)",
        [After, Follow, Limit], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var cursor = session.Arguments.Value(After.Name);
        var limit = session.Arguments.Value(Limit.Name) ?? "1000";
        var follow = session.Arguments.Flag(Follow.Name);
        while (true)
        {
            var query = $"limit={Uri.EscapeDataString(limit)}" + (cursor is null ? string.Empty : $"&after={Uri.EscapeDataString(cursor)}");
            var (lines, next) = await session.Api.GetFeedAsync($"audit/events?{query}", cancellationToken);
            foreach (var line in lines)
            {
                await session.Output.WriteLineAsync(line);
            }

            await session.Output.FlushAsync(cancellationToken);
            cursor = next ?? cursor;
            if (lines.Count > 0)
            {
                continue;
            }

            if (!follow)
            {
                await session.Error.WriteLineAsync($"next cursor: {cursor} (granary events --after {cursor})");
                return 0;
            }

            await Task.Delay(FollowInterval, cancellationToken);
        }
    }
}
