namespace Granary.EventStore.Appending;

/// <summary>An append reused an event id that is already stored elsewhere; nothing was written.</summary>
public sealed class DuplicateEventIdException(string streamId, Guid eventId, string storedStreamId, long storedVersion)
    : Exception($"Append to stream '{streamId}' reuses event id {eventId}, already stored as stream '{storedStreamId}' version {storedVersion}. Nothing was written; give new events new ids (retries must resend the exact same batch).")
{
    /// <summary>The reused event id.</summary>
    public Guid EventId { get; } = eventId;
}
