using Npgsql;
using static Granary.EventStore.PostgresSql;

namespace Granary.EventStore.Subscriptions;

/// <summary>The saved feed position of each named subscriber.</summary>
internal sealed class CheckpointStore(NpgsqlDataSource dataSource, EventStoreOptions options)
{
    private readonly string _schema = options.CheckedSchema;

    public async Task<GlobalPosition?> LoadAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT tx_id, seq FROM {_schema}.subscriptions WHERE name = $1", Text(name));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new GlobalPosition(reader.GetFieldValue<ulong>(0), reader.GetInt64(1)) : null;
    }

    public async Task SaveAsync(string name, GlobalPosition position, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"""
            INSERT INTO {_schema}.subscriptions (name, tx_id, seq) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id, seq = excluded.seq, updated_at = now()
            """, Text(name), TransactionId(position.TransactionId), Int64(position.Sequence));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
