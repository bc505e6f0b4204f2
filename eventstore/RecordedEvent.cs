namespace Granary.EventStore;

/// <summary>An event as stored: its payload (upcast to the current schema) and everything the store stamped on it.</summary>
public sealed record RecordedEvent(
    Guid EventId,
    string StreamId,
    long StreamVersion,
    GlobalPosition Position,
    string EventType,
    int SchemaVersion,
    DateTimeOffset Timestamp,
    string? CorrelationId,
    string? CausationId,
    string? Actor,
    object Data);
