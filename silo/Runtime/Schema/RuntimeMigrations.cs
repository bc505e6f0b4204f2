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
    ];
}
