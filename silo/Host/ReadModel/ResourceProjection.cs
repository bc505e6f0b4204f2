using System.Collections.Concurrent;
using Granary.EventStore;
using Granary.EventStore.Subscriptions;
using Granary.Silo.Metrics;
using Granary.Silo.Resources;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.ReadModel;

/// <summary>
/// Keeps <see cref="ResourceTable"/> up to date from the global event feed: each event of a resource stream
/// refolds that resource (from its snapshot) and rewrites its row. At-least-once and idempotent; a restarted silo
/// resumes from its checkpoint. API writes refresh their row at once, so a client reads its own writes.
/// </summary>
public sealed class ResourceProjection(PostgresEventStore store, ResourceTable table, ResourceKinds kinds, HostMetrics metrics, ILogger logger) : IAsyncDisposable
{
    /// <summary>The subscription name (its checkpoint is kept under it).</summary>
    public const string SubscriptionName = "host-resource-list";

    // The stream version each row was last folded at: older events of that stream need no refold (catch-up is linear).
    private readonly ConcurrentDictionary<string, long> _folded = new(StringComparer.Ordinal);
    private EventSubscription? _subscription;

    /// <summary>Starts following the feed from the saved checkpoint.</summary>
    public async Task StartAsync(TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        _subscription = await store.SubscribeAsync(SubscriptionName, HandleAsync, new SubscriptionOptions
        {
            PollInterval = pollInterval,
            OnHandlerError = (recorded, exception) => logger.LogWarning(exception, "Resource list could not fold {Stream} version {Version}; retrying", recorded.StreamId, recorded.StreamVersion),
        }, cancellationToken);
    }

    /// <summary>Rewrites the row of the resource <paramref name="key"/> of <paramref name="kind"/> from its stream now.</summary>
    public async Task RefreshAsync(ResourceKind kind, string key, CancellationToken cancellationToken)
    {
        if (await kind.LoadAsync(store, key, cancellationToken) is { } view)
        {
            await table.UpsertAsync(view, cancellationToken);
            _folded.AddOrUpdate(kind.StreamId(key), view.Version, (_, previous) => Math.Max(previous, view.Version));
        }
    }

    private async Task HandleAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        metrics.EventObserved(recorded.EventType);
        if (kinds.ForStream(recorded.StreamId) is { } kind
            && (!_folded.TryGetValue(recorded.StreamId, out var folded) || folded < recorded.StreamVersion))
        {
            await RefreshAsync(kind, recorded.StreamId[(kind.GrainKind.Length + 1)..], cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }
    }
}
