using Granary.EventStore;
using Granary.EventStore.Schema;
using Granary.Silo.Resources;
using Npgsql;
using NpgsqlTypes;

namespace Granary.Silo.ReadModel;

/// <summary>
/// The resource list: one row per resource with what listing, filtering and tracing need (readiness, revision,
/// inventory). A read model only — every row is rebuilt from the event log, which stays the source of truth.
/// </summary>
public sealed class ResourceTable(NpgsqlDataSource dataSource, string schema)
{
    /// <summary>The migration component that owns this table.</summary>
    public const string Component = "host";

    private static readonly IReadOnlyList<SchemaMigration> Migrations =
    [
        new SchemaMigration("resource list", s => $"""
            CREATE TABLE {s}.host_resources (
                kind                 text NOT NULL,
                namespace            text NOT NULL,
                name                 text NOT NULL,
                exists               boolean NOT NULL,
                ready                text NOT NULL,
                reason               text,
                message              text,
                suspended            boolean NOT NULL,
                generation           bigint NOT NULL,
                observed_generation  bigint NOT NULL,
                revision             text,
                cluster              text,
                source_ref           text,
                inventory            text[] NOT NULL,
                version              bigint NOT NULL,
                updated_at           timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (kind, namespace, name));
            CREATE INDEX host_resources_inventory_idx ON {s}.host_resources USING gin (inventory);
            """),
    ];

    /// <summary>Creates or migrates the table (idempotent; safe when several silos start at once).</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) =>
        new SchemaMigrator(dataSource, new EventStoreOptions { ConnectionString = "unused", Schema = schema }, Component, Migrations).MigrateAsync(cancellationToken);

    /// <summary>Writes a resource's row unless a row from a later stream version is already there.</summary>
    public async Task UpsertAsync(ResourceView view, CancellationToken cancellationToken)
    {
        var status = view.Status;
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO {schema}.host_resources AS r (kind, namespace, name, exists, ready, reason, message, suspended, generation, observed_generation, revision, cluster, source_ref, inventory, version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            ON CONFLICT (kind, namespace, name) DO UPDATE SET
                exists = excluded.exists, ready = excluded.ready, reason = excluded.reason, message = excluded.message,
                suspended = excluded.suspended, generation = excluded.generation, observed_generation = excluded.observed_generation,
                revision = excluded.revision, cluster = excluded.cluster, source_ref = excluded.source_ref, inventory = excluded.inventory,
                version = excluded.version, updated_at = now()
            WHERE r.version <= excluded.version
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = view.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = view.Metadata.Namespace });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = view.Metadata.Name });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = status.Exists });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status.Ready });
        command.Parameters.Add(Text(status.Reason));
        command.Parameters.Add(Text(status.Message));
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = status.Suspended });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = view.Metadata.Generation });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = status.ObservedGeneration });
        command.Parameters.Add(Text(status.LastAppliedRevision ?? status.Artifact?.Revision));
        command.Parameters.Add(Text(status.Cluster));
        command.Parameters.Add(Text(status.SourceRef));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. status.Inventory ?? []] });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = view.Version });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The existing resources matching every filter given (null matches all), ordered by kind, namespace and name.</summary>
    public async Task<IReadOnlyList<ResourceRow>> ListAsync(string? kind, string? @namespace, string? ready, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {Columns} FROM {schema}.host_resources
            WHERE exists AND ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR namespace = $2) AND ($3::text IS NULL OR ready = $3)
            ORDER BY kind, namespace, name
            """);
        command.Parameters.Add(Text(kind));
        command.Parameters.Add(Text(@namespace));
        command.Parameters.Add(Text(ready));
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>The existing resources applying to <paramref name="cluster"/> whose inventory holds <paramref name="inventoryId"/>.</summary>
    public async Task<IReadOnlyList<ResourceRow>> FindOwnersAsync(string cluster, string inventoryId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {Columns} FROM {schema}.host_resources
            WHERE exists AND cluster = $1 AND inventory @> ARRAY[$2]::text[]
            ORDER BY kind, namespace, name
            """);
        command.Parameters.Add(Text(cluster));
        command.Parameters.Add(Text(inventoryId));
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>
    /// The resources of <paramref name="kinds"/>, deleted ones included, whose row changed at or after <paramref name="since"/>
    /// (a row changes after each of its events, so a stream with an event since then is among them).
    /// </summary>
    public async Task<IReadOnlyList<(string Kind, string Namespace, string Name)>> ChangedSinceAsync(IReadOnlyList<string> kinds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT kind, namespace, name FROM {schema}.host_resources
            WHERE kind = ANY($1) AND updated_at >= $2
            ORDER BY kind, namespace, name
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. kinds] });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = since.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var rows = new List<(string, string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    private const string Columns = "kind, namespace, name, ready, reason, message, suspended, generation, observed_generation, revision, cluster, source_ref, cardinality(inventory), updated_at";

    private static async Task<IReadOnlyList<ResourceRow>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<ResourceRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ResourceRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetBoolean(6), reader.GetInt64(7), reader.GetInt64(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetString(11), reader.GetInt32(12),
                new DateTimeOffset(reader.GetDateTime(13), TimeSpan.Zero)));
        }

        return rows;
    }

    private static NpgsqlParameter Text(string? value) => new NpgsqlParameter<string?> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };
}

/// <summary>One row of the resource list.</summary>
/// <param name="Kind">The kind, e.g. Kustomization.</param>
/// <param name="Namespace">The namespace.</param>
/// <param name="Name">The name.</param>
/// <param name="Ready">True, False or Unknown.</param>
/// <param name="Reason">The Ready condition's reason.</param>
/// <param name="Message">The Ready condition's message.</param>
/// <param name="Suspended">Whether reconciling is suspended.</param>
/// <param name="Generation">Spec changes applied.</param>
/// <param name="ObservedGeneration">The generation last reconciled.</param>
/// <param name="Revision">The last applied revision (Kustomization) or the artifact revision (source).</param>
/// <param name="Cluster">Where a Kustomization applies.</param>
/// <param name="SourceRef">A Kustomization's source.</param>
/// <param name="InventoryCount">How many objects a Kustomization applied.</param>
/// <param name="UpdatedAt">When this row last changed.</param>
public sealed record ResourceRow(
    string Kind,
    string Namespace,
    string Name,
    string Ready,
    string? Reason,
    string? Message,
    bool Suspended,
    long Generation,
    long ObservedGeneration,
    string? Revision,
    string? Cluster,
    string? SourceRef,
    int InventoryCount,
    DateTimeOffset UpdatedAt);
