using System.Text.RegularExpressions;

namespace Granary.EventStore;

/// <summary>Where and how the event store keeps its data.</summary>
public sealed partial record EventStoreOptions
{
    /// <summary>The PostgreSQL connection string (Npgsql syntax).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The database schema holding the store's tables; created if absent.</summary>
    public string Schema { get; init; } = "granary";

    /// <summary>Whether appends send a NOTIFY so subscriptions wake at once (they also poll).</summary>
    public bool NotifyOnAppend { get; init; } = true;

    /// <summary>The schema name, checked to be a plain lower-case identifier so it can be spliced into SQL.</summary>
    internal string CheckedSchema => SchemaName().IsMatch(Schema)
        ? Schema
        : throw new ArgumentException($"Event store schema '{Schema}' is not a plain identifier; use lower-case letters, digits and '_' (e.g. 'granary').", nameof(Schema));

    /// <summary>The LISTEN/NOTIFY channel for this schema's appends.</summary>
    internal string NotifyChannel => CheckedSchema + "_events";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
