using Npgsql;

namespace Granary.EventStore.Schema;

/// <summary>
/// Creates and migrates a component's tables (the event store's, the runtime's, ...) in one schema. Each
/// migration runs once, in order, inside one transaction that holds an advisory lock, so silos starting
/// together never race; running it again is a no-op.
/// </summary>
public sealed class SchemaMigrator
{
    private const string EventStoreComponent = "eventstore";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly string _component;
    private readonly IReadOnlyList<SchemaMigration> _migrations;

    /// <summary>A migrator for the event store's own tables.</summary>
    public SchemaMigrator(NpgsqlDataSource dataSource, EventStoreOptions options)
        : this(dataSource, options, EventStoreComponent, Migrations.All)
    {
    }

    /// <summary>A migrator for another component's tables in the same schema.</summary>
    public SchemaMigrator(NpgsqlDataSource dataSource, EventStoreOptions options, string component, IReadOnlyList<SchemaMigration> migrations)
    {
        _dataSource = dataSource;
        _schema = options.CheckedSchema;
        _component = component;
        _migrations = migrations;
    }

    /// <summary>The highest event store schema version this build knows.</summary>
    public static int LatestVersion => Migrations.All.Count;

    /// <summary>Applies every migration the database has not seen; returns how many ran.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var schema = _schema;
        var dataSource = _dataSource;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext($1))", cancellationToken, "granary.migrate." + schema);
        await ExecuteAsync(connection, $"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                component  text NOT NULL,
                version    int NOT NULL,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (component, version))
            """, cancellationToken);

        var applied = new HashSet<int>();
        await using (var command = new NpgsqlCommand($"SELECT version FROM {schema}.schema_migrations WHERE component = $1", connection) { Parameters = { new NpgsqlParameter { Value = _component } } })
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        if (applied.Count > 0 && applied.Max() > _migrations.Count)
        {
            throw new InvalidOperationException($"The {_component} tables in schema '{schema}' are at version {applied.Max()}, newer than this build knows ({_migrations.Count}); run the Granary version that migrated them, or a newer one.");
        }

        var ran = 0;
        for (var index = 0; index < _migrations.Count; index++)
        {
            var version = index + 1;
            if (applied.Contains(version))
            {
                continue;
            }

            var migration = _migrations[index];
            await ExecuteAsync(connection, migration.Sql(schema), cancellationToken);
            await ExecuteAsync(connection, $"INSERT INTO {schema}.schema_migrations (component, version, name) VALUES ($1, $2, $3)", cancellationToken, _component, version, migration.Name);
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
