using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Granary.EventStore.Appending;
using Granary.EventStore.Blobs;
using Granary.EventStore.Feed;
using Granary.EventStore.Hashing;
using Granary.EventStore.Reading;
using Granary.EventStore.Schema;
using Granary.EventStore.Serialization;
using Granary.EventStore.Snapshots;
using Granary.EventStore.Subscriptions;
using Npgsql;

namespace Granary.EventStore;

/// <summary>The event store on PostgreSQL: streams, the global feed, snapshots, subscriptions and blobs in one schema.</summary>
public sealed class PostgresEventStore : IEventStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly EventAppender _appender;
    private readonly StreamEventReader _streams;
    private readonly GlobalFeed _feed;
    private readonly AggregateReader _aggregates;
    private readonly ChainVerifier _verifier;
    private readonly AppendNotificationListener _listener;
    private readonly CheckpointStore _checkpoints;
    private readonly ConcurrentDictionary<string, EventSubscription> _subscriptions = new(StringComparer.Ordinal);

    private PostgresEventStore(NpgsqlDataSource dataSource, bool ownsDataSource, EventStoreOptions options, EventTypeRegistry registry)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _checkpoints = new CheckpointStore(dataSource, options);
        Registry = registry;
        var mapper = new RecordedEventMapper(registry);
        _appender = new EventAppender(dataSource, options, registry);
        _streams = new StreamEventReader(dataSource, options, mapper);
        _feed = new GlobalFeed(dataSource, options, mapper);
        _aggregates = new AggregateReader(dataSource, options, mapper, registry.JsonOptions);
        _verifier = new ChainVerifier(dataSource, options);
        _listener = new AppendNotificationListener(dataSource, options);
        Snapshots = new SnapshotStore(dataSource, options, registry.JsonOptions);
        Blobs = new BlobStore(dataSource, options);
    }

    /// <summary>Opens the store and migrates its schema (idempotent; safe when several silos start at once).</summary>
    public static async Task<PostgresEventStore> OpenAsync(EventStoreOptions options, EventTypeRegistry registry, CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (connection.MaxAutoPrepare == 0)
        {
            // The store runs the same few statements millions of times: let Npgsql prepare them once.
            connection.MaxAutoPrepare = 64;
            connection.AutoPrepareMinUsages = 2;
        }

        var dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
        try
        {
            return await OpenAsync(dataSource, options, registry, ownsDataSource: true, cancellationToken);
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens the store on a data source the caller owns, and migrates its schema.</summary>
    public static async Task<PostgresEventStore> OpenAsync(NpgsqlDataSource dataSource, EventStoreOptions options, EventTypeRegistry registry, bool ownsDataSource = false, CancellationToken cancellationToken = default)
    {
        await new SchemaMigrator(dataSource, options).MigrateAsync(cancellationToken);
        return new PostgresEventStore(dataSource, ownsDataSource, options, registry);
    }

    /// <summary>The event type names and upcasters in use.</summary>
    public EventTypeRegistry Registry { get; }

    /// <summary>Latest folded states of streams.</summary>
    public SnapshotStore Snapshots { get; }

    /// <summary>Content-addressed large payloads.</summary>
    public BlobStore Blobs { get; }

    /// <summary>The connection pool the store uses (for read models that share its transactions).</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    /// <inheritdoc />
    public Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, EventMetadata? metadata = null, CancellationToken cancellationToken = default) =>
        _appender.AppendAsync(streamId, expected, events, metadata ?? EventMetadata.None, cancellationToken);

    /// <summary>Appends inside a transaction the caller owns, so a read model can change atomically with the events.</summary>
    public Task<AppendResult> AppendAsync(NpgsqlTransaction transaction, string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, EventMetadata? metadata = null, CancellationToken cancellationToken = default) =>
        _appender.AppendAsync(transaction, streamId, expected, events, metadata ?? EventMetadata.None, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, long fromVersion = 1, long toVersion = long.MaxValue, CancellationToken cancellationToken = default) =>
        _streams.ReadAsync(streamId, fromVersion, toVersion, asOf: null, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RecordedEvent> ReadStreamAsOfAsync(string streamId, DateTimeOffset asOf, CancellationToken cancellationToken = default) =>
        _streams.ReadAsync(streamId, 1, long.MaxValue, asOf, cancellationToken);

    /// <summary>Reads a stream's latest snapshot and the events after it in one round trip (what activation needs).</summary>
    public Task<AggregateHistory<TState>> LoadAggregateAsync<TState>(string streamId, CancellationToken cancellationToken = default) =>
        _aggregates.LoadAsync<TState>(streamId, cancellationToken);

    /// <inheritdoc />
    public Task<long> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default) =>
        _streams.VersionAsync(streamId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int maxCount = 1000, CancellationToken cancellationToken = default) =>
        _feed.ReadAsync(after, maxCount, cancellationToken);

    /// <summary>Reads the global feed after <paramref name="after"/> until it is caught up.</summary>
    public async IAsyncEnumerable<RecordedEvent> ReadAllToEndAsync(GlobalPosition after, int pageSize = 1000, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var page = await _feed.ReadAsync(after, pageSize, cancellationToken);
            foreach (var recorded in page)
            {
                yield return recorded;
            }

            if (page.Count < pageSize)
            {
                yield break;
            }

            after = page[^1].Position;
        }
    }

    /// <inheritdoc />
    public Task<ChainVerification> VerifyStreamAsync(string streamId, CancellationToken cancellationToken = default) =>
        _verifier.VerifyStreamAsync(streamId, cancellationToken);

    /// <summary>Verifies every stream's hash chain.</summary>
    public Task<IReadOnlyList<ChainVerification>> VerifyAllAsync(CancellationToken cancellationToken = default) =>
        _verifier.VerifyAllAsync(cancellationToken);

    /// <summary>
    /// Starts delivering the global feed to <paramref name="handler"/>, at least once and in feed order, from the
    /// checkpoint saved under <paramref name="name"/> (or the start). Dispose the result to stop.
    /// </summary>
    public async Task<EventSubscription> SubscribeAsync(string name, Func<RecordedEvent, CancellationToken, Task> handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var subscription = new EventSubscription(name, _checkpoints, _feed, _listener, handler, options ?? new SubscriptionOptions(), stopped => _subscriptions.TryRemove(stopped, out _));
        if (!_subscriptions.TryAdd(name, subscription))
        {
            throw new InvalidOperationException($"Subscription '{name}' is already running in this process; dispose it before subscribing again.");
        }

        try
        {
            await subscription.StartAsync(cancellationToken);
            return subscription;
        }
        catch
        {
            _subscriptions.TryRemove(name, out _);
            throw;
        }
    }

    /// <summary>Reads a subscriber's saved checkpoint, or null when it has none.</summary>
    public Task<GlobalPosition?> GetCheckpointAsync(string name, CancellationToken cancellationToken = default) =>
        _checkpoints.LoadAsync(name, cancellationToken);

    /// <summary>Stops every subscription and releases the connection pool if the store owns it.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions.Values)
        {
            await subscription.DisposeAsync();
        }

        await _listener.DisposeAsync();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync();
        }
    }
}
