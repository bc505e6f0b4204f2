using System.Runtime.CompilerServices;
using Npgsql;
using static Granary.EventStore.PostgresSql;

namespace Granary.EventStore.Reading;

/// <summary>Reads one stream in version order, bounded by version or by time (time travel).</summary>
internal sealed class StreamEventReader(NpgsqlDataSource dataSource, EventStoreOptions options, RecordedEventMapper mapper)
{
    private readonly string _schema = options.CheckedSchema;

    public async IAsyncEnumerable<RecordedEvent> ReadAsync(string streamId, long fromVersion, long toVersion, DateTimeOffset? asOf, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var until = asOf is null ? string.Empty : " AND created_at <= $4";
        await using var command = Command(connection,
            $"SELECT {RecordedEventMapper.Columns} FROM {_schema}.events WHERE stream_id = $1 AND stream_version BETWEEN $2 AND $3{until} ORDER BY stream_version",
            Text(streamId), Int64(fromVersion), Int64(toVersion));
        if (asOf is { } instant)
        {
            command.Parameters.Add(Timestamp(instant));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return mapper.Map(reader);
        }
    }

    public async Task<long> VersionAsync(string streamId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT version FROM {_schema}.streams WHERE stream_id = $1", Text(streamId));
        return await command.ExecuteScalarAsync(cancellationToken) is long version ? version : 0;
    }
}
