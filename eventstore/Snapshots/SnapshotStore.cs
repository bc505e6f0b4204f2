using System.Text.Json;
using Npgsql;
using static Granary.EventStore.PostgresSql;

namespace Granary.EventStore.Snapshots;

/// <summary>Keeps the latest folded state of a stream so activation reads only the events after it.</summary>
public sealed class SnapshotStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly JsonSerializerOptions _json;
    private readonly string _schema;

    internal SnapshotStore(NpgsqlDataSource dataSource, EventStoreOptions options, JsonSerializerOptions json)
    {
        _dataSource = dataSource;
        _json = json;
        _schema = options.CheckedSchema;
    }

    /// <summary>Saves <paramref name="state"/> as of <paramref name="version"/>; an older snapshot never replaces a newer one.</summary>
    public async Task SaveAsync<TState>(string streamId, long version, TState state, CancellationToken cancellationToken = default)
    {
        var json = JsonSerializer.Serialize(state, _json);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"""
            INSERT INTO {_schema}.snapshots (stream_id, version, data) VALUES ($1, $2, $3::json)
            ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, data = excluded.data, saved_at = now()
            WHERE {_schema}.snapshots.version < excluded.version
            """, Text(streamId), Int64(version), Text(json));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Loads the latest snapshot of a stream, or null when there is none.</summary>
    public async Task<Snapshot<TState>?> LoadAsync<TState>(string streamId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT version, data FROM {_schema}.snapshots WHERE stream_id = $1", Text(streamId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var state = JsonSerializer.Deserialize<TState>(reader.GetString(1), _json)
            ?? throw new InvalidOperationException($"The snapshot of stream '{streamId}' is JSON null; delete it and the stream is folded from its events.");
        return new Snapshot<TState>(reader.GetInt64(0), state);
    }

    /// <summary>Removes a stream's snapshot (for example when its state shape changed).</summary>
    public async Task DeleteAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"DELETE FROM {_schema}.snapshots WHERE stream_id = $1", Text(streamId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>A stream's folded state as of a version.</summary>
public sealed record Snapshot<TState>(long Version, TState State);
