using Granary.Contracts.Grains;
using Granary.Runtime.Membership;
using Npgsql;

namespace Granary.Runtime.Directory;

/// <summary>
/// The cluster-wide grain directory in PostgreSQL: grain → the silo generation whose activation holds it, and a
/// fencing token that grows by one on every claim. A claim wins only if the claimant is Active and the grain is
/// free, already its own, or held by a silo that is dead (or gone from the membership table); so at most one live
/// silo holds a grain, and a claim after a failover always carries a higher fence than the dead holder's.
/// </summary>
internal sealed class GrainDirectoryTable(NpgsqlDataSource dataSource, string schema)
{
    /// <summary>Claims <paramref name="grain"/> for <paramref name="silo"/>; see <see cref="GrainClaim"/>.</summary>
    public async Task<GrainClaim> ClaimAsync(GrainId grain, SiloAddress silo, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var batch = dataSource.CreateBatch();
            batch.BatchCommands.Add(Command($"""
                INSERT INTO {schema}.grain_directory AS d (grain_kind, grain_key, endpoint, generation, fence, claimed_at)
                SELECT $1, $2, $3, $4, 1, clock_timestamp()
                WHERE EXISTS (SELECT 1 FROM {schema}.membership m WHERE m.endpoint = $3 AND m.generation = $4 AND m.status = '{SiloStatus.Active}')
                ON CONFLICT (grain_kind, grain_key) DO UPDATE
                SET endpoint = excluded.endpoint, generation = excluded.generation, fence = d.fence + 1, claimed_at = excluded.claimed_at
                WHERE d.endpoint IS NULL
                   OR (d.endpoint = excluded.endpoint AND d.generation = excluded.generation)
                   OR NOT EXISTS (SELECT 1 FROM {schema}.membership m
                                  WHERE m.endpoint = d.endpoint AND m.generation = d.generation AND m.status <> '{SiloStatus.Dead}')
                RETURNING fence
                """, grain, silo));
            batch.BatchCommands.Add(Command($"""
                SELECT d.endpoint, d.generation,
                       (SELECT m.status FROM {schema}.membership m WHERE m.endpoint = $3 AND m.generation = $4)
                FROM (SELECT 1) one
                LEFT JOIN {schema}.grain_directory d ON d.grain_kind = $1 AND d.grain_key = $2
                """, grain, silo));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new GrainClaim(reader.GetInt64(0), null);
            }

            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var status = reader.IsDBNull(2) ? SiloStatus.Dead : Enum.Parse<SiloStatus>(reader.GetString(2));
            if (status != SiloStatus.Active)
            {
                throw new SiloUnavailableException($"Silo {silo} cannot activate grain {grain}: it is {status} in the membership table, and only Active silos take new activations.");
            }

            if (!reader.IsDBNull(0))
            {
                var holder = new SiloAddress(reader.GetString(0), reader.GetInt64(1));
                if (holder != silo)
                {
                    return new GrainClaim(0, holder);
                }
            }

            // The holder released the grain between the two statements: claim again.
        }

        throw new SiloUnavailableException($"Silo {silo} could not claim grain {grain}: its directory row kept changing.");
    }

    /// <summary>Releases a claim, only if it is still this exact one (a newer claim by anyone is left alone).</summary>
    public async Task ReleaseAsync(GrainId grain, SiloAddress silo, long fence, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            UPDATE {schema}.grain_directory SET endpoint = NULL, generation = NULL
            WHERE grain_kind = $1 AND grain_key = $2 AND endpoint = $3 AND generation = $4 AND fence = $5
            """);
        AddParameters(command.Parameters, grain, silo);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fence });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Releases whatever claim <paramref name="silo"/> holds on a grain it no longer has an activation of.</summary>
    public async Task ReleaseStaleAsync(GrainId grain, SiloAddress silo, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            UPDATE {schema}.grain_directory SET endpoint = NULL, generation = NULL
            WHERE grain_kind = $1 AND grain_key = $2 AND endpoint = $3 AND generation = $4
            """);
        AddParameters(command.Parameters, grain, silo);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The current holder and fence of a grain (null holder: free or never claimed).</summary>
    public async Task<(SiloAddress? Holder, long Fence)> LookupAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT endpoint, generation, fence FROM {schema}.grain_directory WHERE grain_kind = $1 AND grain_key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (null, 0);
        }

        return (reader.IsDBNull(0) ? null : new SiloAddress(reader.GetString(0), reader.GetInt64(1)), reader.GetInt64(2));
    }

    private static NpgsqlBatchCommand Command(string sql, GrainId grain, SiloAddress silo)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddParameters(command.Parameters, grain, silo);
        return command;
    }

    private static void AddParameters(NpgsqlParameterCollection parameters, GrainId grain, SiloAddress silo)
    {
        parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Kind });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = grain.Key });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = silo.Endpoint });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = silo.Generation });
    }
}
