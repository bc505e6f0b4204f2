using System.Text;
using Npgsql;
using static Granary.EventStore.PostgresSql;

namespace Granary.EventStore.Hashing;

/// <summary>Recomputes a stream's hash chain from the stored rows and reports the first link that does not hold.</summary>
internal sealed class ChainVerifier(NpgsqlDataSource dataSource, EventStoreOptions options)
{
    private readonly string _schema = options.CheckedSchema;

    public async Task<ChainVerification> VerifyStreamAsync(string streamId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        byte[]? headHash = null;
        long headVersion = 0;
        await using (var head = Command(connection, $"SELECT version, last_hash FROM {_schema}.streams WHERE stream_id = $1", Text(streamId)))
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                headVersion = reader.GetInt64(0);
                headHash = reader.GetFieldValue<byte[]>(1);
            }
        }

        await using var command = Command(connection, $"""
            SELECT event_id, stream_version, type, schema_version, created_at, correlation_id, causation_id, actor, data, hash
            FROM {_schema}.events WHERE stream_id = $1 ORDER BY stream_version
            """, Text(streamId));
        await using var rows = await command.ExecuteReaderAsync(cancellationToken);
        var previous = EventHashChain.Genesis.ToArray();
        long expectedVersion = 0;
        while (await rows.ReadAsync(cancellationToken))
        {
            var version = rows.GetInt64(1);
            expectedVersion++;
            if (version != expectedVersion)
            {
                return ChainVerification.Broken(streamId, expectedVersion - 1, expectedVersion, $"version {expectedVersion} is missing (next stored version is {version})");
            }

            var data = Encoding.UTF8.GetBytes(rows.GetString(8));
            var computed = EventHashChain.Next(previous, new HashedFields(
                rows.GetGuid(0),
                streamId,
                version,
                rows.GetString(2),
                rows.GetInt32(3),
                EventHashChain.ToMicros(new DateTimeOffset(rows.GetDateTime(4), TimeSpan.Zero)),
                rows.IsDBNull(5) ? null : rows.GetString(5),
                rows.IsDBNull(6) ? null : rows.GetString(6),
                rows.IsDBNull(7) ? null : rows.GetString(7),
                data));
            var stored = rows.GetFieldValue<byte[]>(9);
            if (!computed.AsSpan().SequenceEqual(stored))
            {
                return ChainVerification.Broken(streamId, version - 1, version, "its content or its stored hash was changed after it was written");
            }

            previous = stored;
        }

        if (headVersion != expectedVersion || (headHash is not null && expectedVersion > 0 && !headHash.AsSpan().SequenceEqual(previous)))
        {
            return ChainVerification.Broken(streamId, expectedVersion, expectedVersion, $"the stream head says version {headVersion} but the events end at {expectedVersion} with another hash (events removed or the head edited)");
        }

        return ChainVerification.Intact(streamId, expectedVersion);
    }

    public async Task<IReadOnlyList<ChainVerification>> VerifyAllAsync(CancellationToken cancellationToken)
    {
        var streams = new List<string>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var command = Command(connection, $"SELECT stream_id FROM {_schema}.streams ORDER BY stream_id"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                streams.Add(reader.GetString(0));
            }
        }

        var results = new List<ChainVerification>(streams.Count);
        foreach (var stream in streams)
        {
            results.Add(await VerifyStreamAsync(stream, cancellationToken));
        }

        return results;
    }
}

/// <summary>The result of checking one stream's hash chain.</summary>
/// <param name="StreamId">The stream checked.</param>
/// <param name="IsIntact">True when every link holds.</param>
/// <param name="EventsVerified">How many events were checked and found intact.</param>
/// <param name="FirstBrokenVersion">The first version whose link does not hold, if any.</param>
/// <param name="Reason">Why that link does not hold.</param>
public sealed record ChainVerification(string StreamId, bool IsIntact, long EventsVerified, long? FirstBrokenVersion, string? Reason)
{
    internal static ChainVerification Intact(string streamId, long count) => new(streamId, true, count, null, null);

    internal static ChainVerification Broken(string streamId, long verified, long version, string reason) =>
        new(streamId, false, verified, version, $"stream '{streamId}' version {version}: {reason}");
}
