using Granary.EventStore;

namespace Granary.Silo.Audit;

/// <summary>One line of the NDJSON export of the global feed: the event with everything the store stamped on it.</summary>
/// <param name="Position">The feed cursor of this event; pass it as <c>after</c> to continue behind it.</param>
/// <param name="EventId">The event's id.</param>
/// <param name="StreamId">The stream, <c>kind/namespace/name</c>.</param>
/// <param name="Version">The version within the stream.</param>
/// <param name="Type">The stable type name.</param>
/// <param name="SchemaVersion">The payload's schema version (after upcasting).</param>
/// <param name="Time">When it was recorded.</param>
/// <param name="Actor">Who caused it.</param>
/// <param name="CorrelationId">The root cause.</param>
/// <param name="CausationId">The message that caused it.</param>
/// <param name="Summary">One line saying what it means.</param>
/// <param name="Data">The payload.</param>
public sealed record FeedRecord(string Position, Guid EventId, string StreamId, long Version, string Type, int SchemaVersion, DateTimeOffset Time, string? Actor, string? CorrelationId, string? CausationId, string Summary, object Data)
{
    /// <summary>The record for a recorded event.</summary>
    public static FeedRecord Of(RecordedEvent recorded) => new(
        recorded.Position.ToString(), recorded.EventId, recorded.StreamId, recorded.StreamVersion, recorded.EventType, recorded.SchemaVersion,
        recorded.Timestamp, recorded.Actor, recorded.CorrelationId, recorded.CausationId, EventSummary.Describe(recorded.Data), recorded.Data);
}
