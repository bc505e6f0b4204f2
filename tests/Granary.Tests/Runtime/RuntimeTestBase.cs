using Granary.Runtime;
using Granary.Testing.Runtime;

namespace Granary.Tests.Runtime;

/// <summary>Starts a silo with every test grain registered, against its own schema.</summary>
public abstract class RuntimeTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    protected Probe Probe { get; } = new();

    protected TestSilo Silo { get; private set; } = null!;

    protected virtual SiloOptions Configure(string connectionString, string schema) => Options(connectionString, schema);

    protected SiloOptions Options(string connectionString, string schema, TimeSpan? idleAge = null, TimeSpan? callTimeout = null, int snapshotEvery = 100) =>
        Options(Probe, connectionString, schema, idleAge, callTimeout, snapshotEvery);

    /// <summary>Options with every test grain registered, reporting to <paramref name="probe"/>; <paramref name="cluster"/> joins a cluster.</summary>
    internal static SiloOptions Options(Probe probe, string connectionString, string schema, TimeSpan? idleAge = null, TimeSpan? callTimeout = null, int snapshotEvery = 100, ClusterOptions? cluster = null)
    {
        var options = new SiloOptions
        {
            ConnectionString = connectionString,
            Schema = schema,

            // Unique per silo: several silos share this process, and metrics are told apart by silo name.
            Name = cluster is null ? schema : $"{schema}/{cluster.Endpoint}",
            IdleDeactivationAge = idleAge ?? TimeSpan.FromMinutes(15),
            CollectionInterval = idleAge is null ? TimeSpan.FromMinutes(1) : TimeSpan.FromMilliseconds(50),
            CallTimeout = callTimeout ?? TimeSpan.FromSeconds(30),
            SnapshotEvery = snapshotEvery,
            ReminderPollInterval = TimeSpan.FromMilliseconds(100),
            Cluster = cluster,
        };
        options.Grains
            .Add<ICounterGrain, CounterGrain>(() => new CounterGrain(probe))
            .Add<IEventCounterGrain, EventCounterGrain>(() => new EventCounterGrain(probe))
            .Add<IPingGrain, PingGrain>()
            .Add<ITickingGrain, TickingGrain>(() => new TickingGrain(probe))
            .Add<IAlarmGrain, AlarmGrain>(() => new AlarmGrain(probe))
            .Add<IEchoGrain, EchoGrain>();
        options.EventTypes.RegisterAnnotated(typeof(Incremented).Assembly);
        return options;
    }

    public async Task InitializeAsync() => Silo = await TestSilo.StartAsync(c => Configure(c.ConnectionString, c.Schema));

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}
