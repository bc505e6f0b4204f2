using Npgsql;

namespace Granary.Runtime.Membership;

/// <summary>
/// The membership table in PostgreSQL: one row per silo generation, plus a one-row table version. Every membership
/// change (join, status change, suspicion vote) bumps the version by compare-and-swap in the same transaction
/// as the row change, so two silos acting on the same snapshot cannot both win. Lease renewals (heartbeats) are
/// not membership changes and leave the version alone.
/// </summary>
internal sealed class MembershipTable(NpgsqlDataSource dataSource, string schema)
{
    private const string Columns = "endpoint, generation, name, status, started_at, heartbeat_at, suspect_voters, suspect_times";

    /// <summary>A fresh generation for a silo that is about to join (unique across the cluster, increasing).</summary>
    public async Task<long> NextGenerationAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT nextval('{schema}.silo_generation')");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Reads the version, the database clock and every row in one round trip.</summary>
    public async Task<MembershipView> ReadAsync(CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT version, clock_timestamp() FROM {schema}.membership_version"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {Columns} FROM {schema}.membership ORDER BY endpoint, generation"));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var version = reader.GetInt64(0);
        var now = reader.GetDateTime(1);
        await reader.NextResultAsync(cancellationToken);
        var members = new List<MembershipEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var voters = reader.GetFieldValue<string[]>(6);
            var times = reader.GetFieldValue<DateTime[]>(7);
            members.Add(new MembershipEntry(
                new SiloAddress(reader.GetString(0), reader.GetInt64(1)),
                reader.GetString(2),
                Enum.Parse<SiloStatus>(reader.GetString(3)),
                reader.GetDateTime(4),
                reader.GetDateTime(5),
                [.. voters.Zip(times, (voter, at) => new SuspicionVote(voter, at))]));
        }

        return new MembershipView(version, now, members);
    }

    /// <summary>
    /// Inserts a new row (status <see cref="SiloStatus.Joining"/>) if the table is still at <paramref name="expectedVersion"/>;
    /// false means another change landed first (re-read and try again).
    /// </summary>
    public Task<bool> TryInsertAsync(long expectedVersion, SiloAddress silo, string name, CancellationToken cancellationToken) =>
        TryChangeAsync(expectedVersion, $"""
            INSERT INTO {schema}.membership (endpoint, generation, name, status, suspect_voters, suspect_times)
            VALUES ($1, $2, $3, '{SiloStatus.Joining}', ARRAY[]::text[], ARRAY[]::timestamptz[])
            """, [silo.Endpoint, silo.Generation, name], cancellationToken);

    /// <summary>
    /// Sets a row's status and suspicion votes if the table is still at <paramref name="expectedVersion"/> (and, when
    /// <paramref name="expectedHeartbeat"/> is given, if the silo has not renewed its lease since it was read: a
    /// silo that heartbeats just in time is never declared dead on an old reading). A dead row never changes again.
    /// </summary>
    public Task<bool> TryUpdateAsync(long expectedVersion, SiloAddress silo, SiloStatus status, IReadOnlyList<SuspicionVote> suspicions, DateTime? expectedHeartbeat, CancellationToken cancellationToken) =>
        TryChangeAsync(expectedVersion, $"""
            UPDATE {schema}.membership SET status = $3, suspect_voters = $4, suspect_times = $5
            WHERE endpoint = $1 AND generation = $2 AND status <> '{SiloStatus.Dead}' AND ($6::timestamptz IS NULL OR heartbeat_at = $6)
            """,
            [silo.Endpoint, silo.Generation, status.ToString(), suspicions.Select(s => s.Voter).ToArray(), suspicions.Select(s => s.At).ToArray(), expectedHeartbeat is { } at ? at : DBNull.Value],
            cancellationToken);

    /// <summary>
    /// Renews a silo's lease on the database clock. Returns the silo's status, or null when its row is dead or gone
    /// (the silo has been declared dead and must stop serving).
    /// </summary>
    public async Task<SiloStatus?> RenewLeaseAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            UPDATE {schema}.membership SET heartbeat_at = clock_timestamp()
            WHERE endpoint = $1 AND generation = $2 AND status <> '{SiloStatus.Dead}'
            RETURNING status
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = silo.Endpoint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = silo.Generation });
        return await command.ExecuteScalarAsync(cancellationToken) is string status ? Enum.Parse<SiloStatus>(status) : null;
    }

    private async Task<bool> TryChangeAsync(long expectedVersion, string change, object[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var bump = new NpgsqlCommand($"UPDATE {schema}.membership_version SET version = version + 1 WHERE version = $1", connection, transaction))
        {
            bump.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expectedVersion });
            if (await bump.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }

        await using (var command = new NpgsqlCommand(change, connection, transaction))
        {
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            }

            if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
