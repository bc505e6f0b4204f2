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

    protected SiloOptions Options(string connectionString, string schema, TimeSpan? idleAge = null, TimeSpan? callTimeout = null, int snapshotEvery = 100)
    {
        var options = new SiloOptions
        {
            ConnectionString = connectionString,
            Schema = schema,
            IdleDeactivationAge = idleAge ?? TimeSpan.FromMinutes(15),
            CollectionInterval = idleAge is null ? TimeSpan.FromMinutes(1) : TimeSpan.FromMilliseconds(50),
            CallTimeout = callTimeout ?? TimeSpan.FromSeconds(30),
            SnapshotEvery = snapshotEvery,
            ReminderPollInterval = TimeSpan.FromMilliseconds(100),
        };
        options.Grains
            .Add<ICounterGrain, CounterGrain>(() => new CounterGrain(Probe))
            .Add<IEventCounterGrain, EventCounterGrain>(() => new EventCounterGrain(Probe))
            .Add<IPingGrain, PingGrain>()
            .Add<ITickingGrain, TickingGrain>(() => new TickingGrain(Probe))
            .Add<IAlarmGrain, AlarmGrain>(() => new AlarmGrain(Probe))
            .Add<IEchoGrain, EchoGrain>();
        options.EventTypes.RegisterAnnotated(typeof(Incremented).Assembly);
        return options;
    }

    public async Task InitializeAsync() => Silo = await TestSilo.StartAsync(c => Configure(c.ConnectionString, c.Schema));

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}
