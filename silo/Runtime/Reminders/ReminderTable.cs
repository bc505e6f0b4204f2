using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Granary.Contracts.Grains;
using Npgsql;
using NpgsqlTypes;

namespace Granary.Runtime.Reminders;

/// <summary>
/// Durable reminders in PostgreSQL: grain identity, name, period, next due time, and a hash of the identity
/// (so ranges of reminders can be owned by silos once the runtime is distributed).
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
    /// Claims the reminders that are due: each moves to its next due time after now in the same statement, and
    /// rows locked by another silo's claim are skipped, so a tick is handed out once.
    /// </summary>
    public async Task<IReadOnlyList<DueReminder>> ClaimDueAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            WITH due AS (
                SELECT grain_kind, grain_key, name, next_due FROM {schema}.reminders
                WHERE next_due <= clock_timestamp()
                ORDER BY next_due
                LIMIT $1
                FOR UPDATE SKIP LOCKED)
            UPDATE {schema}.reminders r
            SET next_due = r.next_due + make_interval(secs => r.period_ms / 1000.0
                * (floor(extract(epoch FROM clock_timestamp() - r.next_due) * 1000 / r.period_ms) + 1))
            FROM due
            WHERE r.grain_kind = due.grain_kind AND r.grain_key = due.grain_key AND r.name = due.name
            RETURNING r.grain_kind, r.grain_key, r.name, r.period_ms, due.next_due
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit, NpgsqlDbType = NpgsqlDbType.Integer });
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

    /// <summary>A stable 32-bit hash of a grain identity (the same in every process and version).</summary>
    public static int HashOf(GrainId grain) =>
        BinaryPrimitives.ReadInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(grain.ToString())));
}

/// <summary>A reminder tick to deliver.</summary>
internal sealed record DueReminder(GrainId Grain, string Name, ReminderTick Tick);
