namespace Granary.EventStore.Schema;

/// <summary>A named schema step that produces its SQL for a given schema name. Released steps are never edited.</summary>
public sealed record SchemaMigration(string Name, Func<string, string> Sql);
