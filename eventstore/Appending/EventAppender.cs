using System.Text;
using Granary.EventStore.Hashing;
using Granary.EventStore.Serialization;
using Npgsql;
using static Granary.EventStore.PostgresSql;

namespace Granary.EventStore.Appending;

/// <summary>
/// Appends events to one stream in one transaction: lock the stream row, check the expected version,
/// hash-chain the new events, insert them, move the stream row forward. Either all events land or none.
/// </summary>
internal sealed class EventAppender(NpgsqlDataSource dataSource, EventStoreOptions options, EventTypeRegistry registry)
{
    private const string UniqueViolation = "23505";

    private readonly string _schema = options.CheckedSchema;

    public async Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, EventMetadata metadata, CancellationToken cancellationToken)
    {
        Validate(streamId, events);
        try
        {
            return await AppendInOwnTransactionAsync(streamId, expected, events, metadata, cancellationToken);
        }
        catch (Exception exception) when (PostgresUnavailableException.IsConnectionFailure(exception))
        {
            // Before the commit was sent, the server rolls the transaction back with the lost connection.
            throw PostgresUnavailableException.From(exception, dataSource, Describe(streamId), outcomeUnknown: false);
        }
    }

    private async Task<AppendResult> AppendInOwnTransactionAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, EventMetadata metadata, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        AppendOutcome outcome;
        try
        {
            outcome = await AppendInTransactionAsync(connection, streamId, expected, events, metadata, cancellationToken);
            if (outcome.Result is { } written)
            {
                try
                {
                    await transaction.CommitAsync(cancellationToken);
                }
                catch (Exception exception) when (PostgresUnavailableException.IsConnectionFailure(exception))
                {
                    // The commit may have reached the server before the connection broke.
                    throw PostgresUnavailableException.From(exception, dataSource, Describe(streamId), outcomeUnknown: true);
                }

                return written;
            }
        }
        catch (PostgresException exception) when (exception.SqlState == UniqueViolation)
        {
            // Another writer (or an earlier try of this same append) got there first.
            outcome = new AppendOutcome(null, null);
        }

        await transaction.RollbackAsync(cancellationToken);
        return await ResolveConflictAsync(connection, streamId, expected, events, outcome.ActualVersion, cancellationToken);
    }

    /// <summary>Appends inside a transaction the caller owns (to update a read model atomically with the events).</summary>
    public async Task<AppendResult> AppendAsync(NpgsqlTransaction transaction, string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, EventMetadata metadata, CancellationToken cancellationToken)
    {
        Validate(streamId, events);
        var connection = transaction.Connection
            ?? throw new ArgumentException("The transaction is already completed; begin a new one.", nameof(transaction));
        var outcome = await AppendInTransactionAsync(connection, streamId, expected, events, metadata, cancellationToken);
        return outcome.Result
            ?? throw new WrongExpectedVersionException(streamId, expected, outcome.ActualVersion ?? 0);
    }

    private async Task<AppendOutcome> AppendInTransactionAsync(NpgsqlConnection connection, string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, EventMetadata metadata, CancellationToken cancellationToken)
    {
        var head = await LockStreamAsync(connection, streamId, expected, cancellationToken);
        if (!expected.IsSatisfiedBy(head.Version))
        {
            return new AppendOutcome(null, head.Version);
        }

        var count = events.Count;
        var ids = new Guid[count];
        var versions = new long[count];
        var types = new string[count];
        var schemaVersions = new int[count];
        var payloads = new string[count];
        var hashes = new byte[count][];
        var micros = EventHashChain.ToMicros(head.Now);
        var previous = head.LastHash;
        for (var i = 0; i < count; i++)
        {
            var data = events[i].Data;
            var type = registry.NameOf(data.GetType());
            var json = registry.Serialize(data);
            ids[i] = events[i].EventId;
            versions[i] = head.Version + i + 1;
            types[i] = type.Name;
            schemaVersions[i] = type.SchemaVersion;
            payloads[i] = Encoding.UTF8.GetString(json);
            hashes[i] = EventHashChain.Next(previous, new HashedFields(ids[i], streamId, versions[i], type.Name, type.SchemaVersion, micros, metadata.CorrelationId, metadata.CausationId, metadata.Actor, json));
            previous = hashes[i];
        }

        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand($"""
            WITH inserted AS (
                INSERT INTO {_schema}.events (event_id, stream_id, stream_version, type, schema_version, data, correlation_id, causation_id, actor, created_at, hash)
                SELECT e.id, $1, e.version, e.type, e.schema_version, e.data::json, $2, $3, $4, $5, e.hash
                FROM unnest($6::uuid[], $7::bigint[], $8::text[], $9::int[], $10::text[], $11::bytea[])
                     WITH ORDINALITY AS e(id, version, type, schema_version, data, hash, ordinal)
                ORDER BY e.ordinal
                RETURNING seq)
            SELECT pg_current_xact_id(), max(seq) FROM inserted
            """,
            Text(streamId), Text(metadata.CorrelationId), Text(metadata.CausationId), Text(metadata.Actor),
            Timestamp(head.Now), Array(ids), Array(versions), Array(types), Array(schemaVersions), Array(payloads), Array(hashes)));
        batch.BatchCommands.Add(BatchCommand(
            $"UPDATE {_schema}.streams SET version = $2, last_hash = $3, last_at = $4 WHERE stream_id = $1",
            Text(streamId), Int64(head.Version + count), Bytes(previous), Timestamp(head.Now)));
        if (options.NotifyOnAppend)
        {
            batch.BatchCommands.Add(BatchCommand("SELECT pg_notify($1, '')", Text(options.NotifyChannel)));
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var position = new GlobalPosition(reader.GetFieldValue<ulong>(0), reader.GetInt64(1));
        return new AppendOutcome(new AppendResult(head.Version + count, position), head.Version);
    }

    private async Task<StreamHead> LockStreamAsync(NpgsqlConnection connection, string streamId, ExpectedVersion expected, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (!expected.Equals(ExpectedVersion.StreamExists) && expected.Value is < 1)
        {
            // A stream that may be new gets its row first, so concurrent first appends serialize on it.
            batch.BatchCommands.Add(BatchCommand(
                $"INSERT INTO {_schema}.streams (stream_id, version, last_hash, last_at) VALUES ($1, 0, $2, '-infinity') ON CONFLICT DO NOTHING",
                Text(streamId), Bytes(EventHashChain.Genesis.ToArray())));
        }

        batch.BatchCommands.Add(BatchCommand(
            $"SELECT version, last_hash, greatest(clock_timestamp(), last_at) FROM {_schema}.streams WHERE stream_id = $1 FOR UPDATE",
            Text(streamId)));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new StreamHead(0, EventHashChain.Genesis.ToArray(), DateTimeOffset.UtcNow);
        }

        return new StreamHead(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero));
    }

    /// <summary>
    /// The append did not fit the stream. If every event id is already in this stream, in order, it is a retry
    /// of an append whose reply was lost: report the original result. Otherwise it is a real conflict.
    /// </summary>
    private async Task<AppendResult> ResolveConflictAsync(NpgsqlConnection connection, string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, long? actualVersion, CancellationToken cancellationToken)
    {
        var ids = events.Select(e => e.EventId).ToArray();
        var found = new Dictionary<Guid, (string Stream, long Version, GlobalPosition Position)>();
        await using (var command = Command(connection,
            $"SELECT event_id, stream_id, stream_version, tx_id, seq FROM {_schema}.events WHERE event_id = ANY($1)",
            Array(ids)))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found[reader.GetGuid(0)] = (reader.GetString(1), reader.GetInt64(2), new GlobalPosition(reader.GetFieldValue<ulong>(3), reader.GetInt64(4)));
            }
        }

        if (found.Count == ids.Length && IsContiguousRun(ids, found, streamId))
        {
            var last = found[ids[^1]];
            return new AppendResult(last.Version, last.Position, WasDuplicate: true);
        }

        if (found.Count > 0)
        {
            var clash = ids.First(found.ContainsKey);
            throw new DuplicateEventIdException(streamId, clash, found[clash].Stream, found[clash].Version);
        }

        var actual = actualVersion ?? await CurrentVersionAsync(connection, streamId, cancellationToken);
        throw new WrongExpectedVersionException(streamId, expected, actual);
    }

    private static bool IsContiguousRun(Guid[] ids, Dictionary<Guid, (string Stream, long Version, GlobalPosition Position)> found, string streamId)
    {
        var first = found[ids[0]].Version;
        for (var i = 0; i < ids.Length; i++)
        {
            var (stream, version, _) = found[ids[i]];
            if (stream != streamId || version != first + i)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<long> CurrentVersionAsync(NpgsqlConnection connection, string streamId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, $"SELECT version FROM {_schema}.streams WHERE stream_id = $1", Text(streamId));
        return await command.ExecuteScalarAsync(cancellationToken) is long version ? version : 0;
    }

    private static string Describe(string streamId) => $"the append to stream '{streamId}'";

    private static void Validate(string streamId, IReadOnlyList<EventData> events)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamId);
        if (events.Count == 0)
        {
            throw new ArgumentException($"An append to stream '{streamId}' needs at least one event.", nameof(events));
        }
    }

    private readonly record struct StreamHead(long Version, byte[] LastHash, DateTimeOffset Now);

    private readonly record struct AppendOutcome(AppendResult? Result, long? ActualVersion);
}
