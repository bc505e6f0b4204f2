using Granary.EventStore;

namespace Granary.Silo.Audit;

/// <summary>One event of a resource's timeline.</summary>
/// <param name="Version">The event's version in the resource's stream.</param>
/// <param name="Position">Its place in the global feed (a cursor).</param>
/// <param name="Time">When it was recorded (database clock).</param>
/// <param name="Type">Its stable type name, e.g. <c>kustomization.applied</c>.</param>
/// <param name="Actor">Who caused it (an API token's name, or null for the control loop).</param>
/// <param name="CorrelationId">The root cause it belongs to.</param>
/// <param name="CausationId">The message that caused it.</param>
/// <param name="Summary">What it means, in one line.</param>
/// <param name="Data">The payload, when asked for.</param>
public sealed record HistoryEntry(long Version, string Position, DateTimeOffset Time, string Type, string? Actor, string? CorrelationId, string? CausationId, string Summary, object? Data)
{
    /// <summary>The entry for a recorded event.</summary>
    public static HistoryEntry Of(RecordedEvent recorded, bool includeData) => new(
        recorded.StreamVersion,
        recorded.Position.ToString(),
        recorded.Timestamp,
        recorded.EventType,
        recorded.Actor,
        recorded.CorrelationId,
        recorded.CausationId,
        EventSummary.Describe(recorded.Data),
        includeData ? recorded.Data : null);
}
