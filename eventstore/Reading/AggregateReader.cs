using System.Data;
using System.Text.Json;
using Granary.EventStore.Snapshots;
using Npgsql;
using static Granary.EventStore.PostgresSql;

namespace Granary.EventStore.Reading;

/// <summary>Loads what an aggregate needs to rebuild itself — its latest snapshot and the events after it — in one round trip.</summary>
internal sealed class AggregateReader(NpgsqlDataSource dataSource, EventStoreOptions options, RecordedEventMapper mapper, JsonSerializerOptions json)
{
    private readonly string _schema = options.CheckedSchema;

    public async Task<AggregateHistory<TState>> LoadAsync<TState>(string streamId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // Both statements must see the same snapshot of the database, or a snapshot saved between them
        // could make the second skip events the first one's snapshot does not cover.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(BatchCommand($"SELECT version, data FROM {_schema}.snapshots WHERE stream_id = $1", Text(streamId)));
        batch.BatchCommands.Add(BatchCommand($"""
            SELECT {RecordedEventMapper.Columns} FROM {_schema}.events
            WHERE stream_id = $1 AND stream_version > coalesce((SELECT version FROM {_schema}.snapshots WHERE stream_id = $1), 0)
            ORDER BY stream_version
            """, Text(streamId)));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

        Snapshot<TState>? snapshot = null;
        if (await reader.ReadAsync(cancellationToken))
        {
            var state = JsonSerializer.Deserialize<TState>(reader.GetString(1), json)
                ?? throw new InvalidOperationException($"The snapshot of stream '{streamId}' is JSON null; delete it and the stream is folded from its events.");
            snapshot = new Snapshot<TState>(reader.GetInt64(0), state);
        }

        await reader.NextResultAsync(cancellationToken);
        var events = new List<RecordedEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(mapper.Map(reader));
        }

        await reader.DisposeAsync();
        await transaction.CommitAsync(cancellationToken);
        return new AggregateHistory<TState>(snapshot, events);
    }
}

/// <summary>A stream's latest snapshot (if any) and every event after it, in version order.</summary>
public sealed record AggregateHistory<TState>(Snapshot<TState>? Snapshot, IReadOnlyList<RecordedEvent> Events);
