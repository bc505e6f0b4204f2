namespace Granary.EventStore.Serialization;

/// <summary>A stored event could not be turned back into a payload.</summary>
public sealed class UnknownEventTypeException(string eventType, int schemaVersion, EventLocation location, string reason)
    : Exception($"Cannot read event type '{eventType}' v{schemaVersion} at {location}: {reason}.")
{
    /// <summary>The stored type name.</summary>
    public string EventType { get; } = eventType;

    /// <summary>The stored schema version.</summary>
    public int SchemaVersion { get; } = schemaVersion;

    /// <summary>Where the event sits.</summary>
    public EventLocation Location { get; } = location;
}
