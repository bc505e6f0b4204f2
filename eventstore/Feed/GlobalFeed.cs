using Granary.EventStore.Reading;
using Npgsql;
using static Granary.EventStore.PostgresSql;

namespace Granary.EventStore.Feed;

/// <summary>
/// The global feed of every stream, in an order a reader can follow without ever skipping an event.
/// </summary>
/// <remarks>
/// Why no reader skips: a sequence number alone is assigned when a row is inserted, not when its transaction
/// commits, so a slow transaction can commit sequence 10 after a reader has already passed sequence 11.
/// Instead every row is stamped with its writing transaction's id (<c>pg_current_xact_id()</c>), and the feed is
/// ordered by (transaction id, sequence). A reader only takes rows whose transaction id is below
/// <c>pg_snapshot_xmin(pg_current_snapshot())</c>: every transaction below that horizon has finished, committed
/// or rolled back, so no row can ever appear below it again. Any row committed later belongs to a transaction
/// at or above the horizon, which is above every position the reader has seen. The price: a long-running
/// writing transaction anywhere in the database holds the horizon back, and the feed waits for it. No gap
/// timeout is involved, so nothing is skipped however late a transaction commits.
/// </remarks>
internal sealed class GlobalFeed(NpgsqlDataSource dataSource, EventStoreOptions options, RecordedEventMapper mapper)
{
    private readonly string _schema = options.CheckedSchema;

    /// <summary>Reads up to <paramref name="maxCount"/> events after <paramref name="after"/>, in feed order.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadAsync(GlobalPosition after, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"""
            SELECT {RecordedEventMapper.Columns} FROM {_schema}.events
            WHERE (tx_id, seq) > ($1, $2) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY tx_id, seq
            LIMIT $3
            """, TransactionId(after.TransactionId), Int64(after.Sequence), Int64(maxCount));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<RecordedEvent>(Math.Min(maxCount, 1024));
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(mapper.Map(reader));
        }

        return events;
    }
}
