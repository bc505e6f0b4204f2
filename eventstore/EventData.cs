namespace Granary.EventStore;

/// <summary>An event to append: its id (for idempotent retries) and its payload, a registered event type.</summary>
public sealed record EventData(Guid EventId, object Data)
{
    /// <summary>An event with a fresh time-ordered id.</summary>
    public static EventData Create(object data) => new(Guid.CreateVersion7(), data);
}
