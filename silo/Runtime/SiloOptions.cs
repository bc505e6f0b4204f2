using Granary.EventStore.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Runtime;

/// <summary>How a silo runs: its database, its grains, and its clocks.</summary>
public sealed class SiloOptions
{
    /// <summary>The PostgreSQL connection string (Npgsql syntax).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The database schema for events, snapshots and reminders.</summary>
    public string Schema { get; init; } = "granary";

    /// <summary>This silo's name, in logs and metrics.</summary>
    public string Name { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>An activation unused for this long is deactivated.</summary>
    public TimeSpan IdleDeactivationAge { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The default deadline of a grain call (nested calls never outlive their caller's deadline).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Event-sourced grains save a snapshot every this many events (0: never).</summary>
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>How often the reminder table is polled for due reminders.</summary>
    public TimeSpan ReminderPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The grain classes this silo hosts.</summary>
    public GrainRegistry Grains { get; init; } = new();

    /// <summary>The event types grains raise, by stable name.</summary>
    public EventTypeRegistry EventTypes { get; init; } = new();

    /// <summary>How this silo joins a cluster of silos sharing the database; null (the default) runs a single silo.</summary>
    public ClusterOptions? Cluster { get; init; }

    /// <summary>Where the runtime logs.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
