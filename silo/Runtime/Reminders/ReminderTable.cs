using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Granary.Contracts.Grains;
using Npgsql;
using NpgsqlTypes;

namespace Granary.Runtime.Reminders;

/// <summary>
/// Durable reminders in PostgreSQL: grain identity, name, period, next due time (and a hash of the identity, unused
/// since ownership follows rendezvous placement, which is no contiguous hash range). Silos read due rows, keep the
/// ones whose grains they own, and claim those by compare-and-swap on the due time.
/// </summary>
internal sealed class ReminderTable(NpgsqlDataSource dataSource, string schema)
{
    /// <summary>The shortest period accepted; reminders are for minutes and hours, timers for anything faster.</summary>
    public static readonly TimeSpan MinimumPeriod = TimeSpan.FromSeconds(1);

    public async Task RegisterAsync(GrainId grain, string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        if (period < MinimumPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"Reminder '{name}' of grain {grain} has period {period}; reminders need at least {MinimumPeriod.TotalSeconds:0} s (use a timer for faster ticks).");
        }

        await using var command = dataSource.CreateCommand($"""
            INSERT INTO {schema}.reminders (grain_kind, grain_key, name, period_ms, next_due, grain_hash)
            VALUES ($1, $2, $3, $4, clock_timestamp() + make_interval(secs => $5), $6)
            ON CONFLICT (grain_kind, grain_key, name) DO UPDATE
            SET period_ms = excluded.period_ms, next_due = excluded.next_due, registered_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)period.TotalMilliseconds });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = dueTime.TotalSeconds });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = HashOf(grain) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task UnregisterAsync(GrainId grain, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"DELETE FROM {schema}.reminders WHERE grain_kind = $1 AND grain_key = $2 AND name = $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The reminders registered for a grain.</summary>
    public async Task<IReadOnlyList<(string Name, TimeSpan Period, DateTimeOffset NextDue)>> ListAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT name, period_ms, next_due FROM {schema}.reminders WHERE grain_kind = $1 AND grain_key = $2 ORDER BY name");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var reminders = new List<(string, TimeSpan, DateTimeOffset)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            reminders.Add((reader.GetString(0), TimeSpan.FromMilliseconds(reader.GetInt64(1)), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero)));
        }

        return reminders;
    }

    /// <summary>
    /// Reads (without claiming) up to <paramref name="limit"/> reminders that are due, in (due time, identity) order,
    /// starting after <paramref name="after"/> (the last row of the previous page), so a caller can filter them by
    /// ownership and still reach every due row.
    /// </summary>
    public async Task<IReadOnlyList<DueReminder>> ReadDueAsync(int limit, DueReminder? after, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT grain_kind, grain_key, name, period_ms, next_due FROM {schema}.reminders
            WHERE next_due <= clock_timestamp()
              AND ($2::timestamptz IS NULL OR (next_due, grain_kind, grain_key, name) > ($2, $3, $4, $5))
            ORDER BY next_due, grain_kind, grain_key, name
            LIMIT $1
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = after is null ? DBNull.Value : after.Tick.DueAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.Grain.Kind ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.Grain.Key ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.Name ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var due = new List<DueReminder>();
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new DueReminder(
                new GrainId(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                new ReminderTick(new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero), TimeSpan.FromMilliseconds(reader.GetInt64(3)))));
        }

        return due;
    }

    /// <summary>
    /// Claims due reminders by compare-and-swap on their due time: a row still due at the time it was read moves to
    /// its next due time after now (missed periods are skipped, not replayed). A row another silo claimed meanwhile,
    /// or that was re-registered or removed, is left alone and not returned, so each due time is handed out once.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedReminder>> ClaimAsync(IReadOnlyList<DueReminder> reminders, CancellationToken cancellationToken)
    {
        if (reminders.Count == 0)
        {
            return [];
        }

        await using var command = dataSource.CreateCommand($"""
            UPDATE {schema}.reminders r
            SET next_due = r.next_due + make_interval(secs => r.period_ms / 1000.0
                * (floor(extract(epoch FROM clock_timestamp() - r.next_due) * 1000 / r.period_ms) + 1))
            FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS c(grain_kind, grain_key, name, next_due)
            WHERE r.grain_kind = c.grain_kind AND r.grain_key = c.grain_key AND r.name = c.name AND r.next_due = c.next_due
            RETURNING r.grain_kind, r.grain_key, r.name, r.period_ms, c.next_due, r.next_due
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. reminders.Select(r => r.Grain.Kind)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. reminders.Select(r => r.Grain.Key)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. reminders.Select(r => r.Name)] });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. reminders.Select(r => r.Tick.DueAt.UtcDateTime)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var claimed = new List<ClaimedReminder>();
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedReminder(
                new DueReminder(
                    new GrainId(reader.GetString(0), reader.GetString(1)),
                    reader.GetString(2),
                    new ReminderTick(new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero), TimeSpan.FromMilliseconds(reader.GetInt64(3)))),
                new DateTimeOffset(reader.GetDateTime(5), TimeSpan.Zero)));
        }

        return claimed;
    }

    /// <summary>
    /// Puts a claimed tick back (its due time becomes the claimed one again) so the grain's owner delivers it at its
    /// next poll; false when the row changed since the claim (re-registered, removed, or claimed again).
    /// </summary>
    public async Task<bool> ReleaseAsync(ClaimedReminder claimed, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            UPDATE {schema}.reminders SET next_due = $4
            WHERE grain_kind = $1 AND grain_key = $2 AND name = $3 AND next_due = $5
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = claimed.Reminder.Grain.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = claimed.Reminder.Grain.Key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = claimed.Reminder.Name });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = claimed.Reminder.Tick.DueAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = claimed.NextDue.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>A stable 32-bit hash of a grain identity (the same in every process and version).</summary>
    public static int HashOf(GrainId grain) =>
        BinaryPrimitives.ReadInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(grain.ToString())));
}

/// <summary>A reminder tick to deliver.</summary>
internal sealed record DueReminder(GrainId Grain, string Name, ReminderTick Tick);

/// <summary>A tick this silo claimed, with the due time the claim moved its row to (what a release compares against).</summary>
internal sealed record ClaimedReminder(DueReminder Reminder, DateTimeOffset NextDue);
