using Npgsql;

namespace Granary.EventStore.Schema;

/// <summary>
/// Creates and migrates the store's tables. Each migration runs once, in order, inside one transaction
/// that holds an advisory lock, so silos starting together never race; running it again is a no-op.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, EventStoreOptions options)
{
    /// <summary>The highest schema version this build knows.</summary>
    public static int LatestVersion => Migrations.All.Count;

    /// <summary>Applies every migration the database has not seen; returns how many ran.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var schema = options.CheckedSchema;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext($1))", cancellationToken, "granary.migrate." + schema);
        await ExecuteAsync(connection, $"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                version    int PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, cancellationToken);

        var applied = new HashSet<int>();
        await using (var command = new NpgsqlCommand($"SELECT version FROM {schema}.schema_migrations", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        if (applied.Count > 0 && applied.Max() > LatestVersion)
        {
            throw new InvalidOperationException($"Event store schema '{schema}' is at version {applied.Max()}, newer than this build knows ({LatestVersion}); run the Granary version that migrated it, or a newer one.");
        }

        var ran = 0;
        for (var index = 0; index < Migrations.All.Count; index++)
        {
            var version = index + 1;
            if (applied.Contains(version))
            {
                continue;
            }

            var migration = Migrations.All[index];
            await ExecuteAsync(connection, migration.Sql(schema), cancellationToken);
            await ExecuteAsync(connection, $"INSERT INTO {schema}.schema_migrations (version, name) VALUES ($1, $2)", cancellationToken, version, migration.Name);
            ran++;
        }

        await transaction.CommitAsync(cancellationToken);
        return ran;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
