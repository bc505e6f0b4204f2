namespace Granary.EventStore.Subscriptions;

/// <summary>How a subscription reads and recovers.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>Events read per page; the checkpoint is saved after each handled page.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>How often to look for new events when no notification arrives.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait before re-delivering after the handler failed.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Told about every handler failure; the events are delivered again after <see cref="RetryDelay"/>.</summary>
    public Action<RecordedEvent, Exception>? OnHandlerError { get; init; }
}
