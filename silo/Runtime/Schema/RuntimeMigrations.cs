using Granary.EventStore.Schema;

namespace Granary.Runtime.Schema;

/// <summary>The runtime's tables, migrated with the event store's <see cref="SchemaMigrator"/> as component "runtime".</summary>
internal static class RuntimeMigrations
{
    public const string Component = "runtime";

    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new SchemaMigration("reminders", schema => $"""
            CREATE TABLE {schema}.reminders (
                grain_kind     text NOT NULL,
                grain_key      text NOT NULL,
                name           text NOT NULL,
                period_ms      bigint NOT NULL CHECK (period_ms > 0),
                next_due       timestamptz NOT NULL,
                grain_hash     int NOT NULL,
                registered_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (grain_kind, grain_key, name));
            CREATE INDEX reminders_due_idx ON {schema}.reminders (next_due);
            """),

        // Clustering: the membership table (versioned by compare-and-swap) and the grain directory (fencing tokens).
        new SchemaMigration("membership", schema => $"""
            CREATE TABLE {schema}.membership_version (
                singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                version    bigint NOT NULL);
            INSERT INTO {schema}.membership_version (version) VALUES (0);
            CREATE SEQUENCE {schema}.silo_generation;
            CREATE TABLE {schema}.membership (
                endpoint        text NOT NULL,
                generation      bigint NOT NULL,
                name            text NOT NULL,
                status          text NOT NULL CHECK (status IN ('Joining', 'Active', 'ShuttingDown', 'Dead')),
                started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
                heartbeat_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
                suspect_voters  text[] NOT NULL,
                suspect_times   timestamptz[] NOT NULL,
                PRIMARY KEY (endpoint, generation));
            CREATE TABLE {schema}.grain_directory (
                grain_kind  text NOT NULL,
                grain_key   text NOT NULL,
                endpoint    text,
                generation  bigint,
                fence       bigint NOT NULL,
                claimed_at  timestamptz NOT NULL,
                PRIMARY KEY (grain_kind, grain_key));
            """),
    ];
}
