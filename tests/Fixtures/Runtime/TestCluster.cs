using Granary.Runtime;
using Granary.Runtime.Membership;
using Granary.Runtime.Transport;
using Granary.Runtime.Transport.Http;

namespace Granary.Testing.Runtime;

/// <summary>
/// Several silos in this process, sharing one schema of the test PostgreSQL and an <see cref="InProcessSiloNetwork"/>.
/// Silos can be added, stopped gracefully, or crashed (frozen and cut off from the network, as kill -9 or a
/// partition would leave them: peers must declare them dead).
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly Func<(string ConnectionString, string Schema, ClusterOptions Cluster), SiloOptions> _configure;
    private readonly List<Silo> _silos = [];
    private readonly HashSet<Silo> _crashed = [];
    private int _next;

    private readonly bool _http;

    private TestCluster(Func<(string ConnectionString, string Schema, ClusterOptions Cluster), SiloOptions> configure, TimeSpan heartbeat, TimeSpan lease, bool http)
    {
        _configure = configure;
        _http = http;
        Heartbeat = heartbeat;
        Lease = lease;
    }

    /// <summary>The schema all silos share.</summary>
    public string Schema { get; } = TestPostgres.NewSchema("cluster");

    /// <summary>The network the silos call each other over.</summary>
    public InProcessSiloNetwork Network { get; } = new();

    /// <summary>How often silos heartbeat.</summary>
    public TimeSpan Heartbeat { get; }

    /// <summary>The lease after which a silo is suspected.</summary>
    public TimeSpan Lease { get; }

    /// <summary>Every silo started, in order (crashed and stopped ones included).</summary>
    public IReadOnlyList<Silo> Silos => _silos;

    /// <summary>The silos neither crashed nor stopped.</summary>
    public IEnumerable<Silo> Live => _silos.Where(s => !_crashed.Contains(s));

    /// <summary>
    /// Starts <paramref name="count"/> silos (concurrently, as a fleet would); <paramref name="http"/> connects them with
    /// HTTP/2 on 127.0.0.1 instead of the in-process network.
    /// </summary>
    public static async Task<TestCluster> StartAsync(
        int count,
        Func<(string ConnectionString, string Schema, ClusterOptions Cluster), SiloOptions> configure,
        TimeSpan? heartbeat = null,
        TimeSpan? lease = null,
        bool http = false)
    {
        var cluster = new TestCluster(configure, heartbeat ?? TimeSpan.FromMilliseconds(200), lease ?? TimeSpan.FromSeconds(3), http);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(_ => cluster.AddSiloAsync()));
            await cluster.WaitForViewAsync(v => v.ActiveSilos.Length == count, $"{count} active silos");
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts one more silo.</summary>
    public async Task<Silo> AddSiloAsync()
    {
        var endpoint = _http ? $"127.0.0.1:{Kubernetes.FreePort.Next()}" : $"silo-{Interlocked.Increment(ref _next)}";
        var options = _configure((TestPostgres.ConnectionString, Schema, new ClusterOptions
        {
            Endpoint = endpoint,
            Transport = _http ? new HttpSiloTransport() : Network.CreateTransport(),
            HeartbeatInterval = Heartbeat,
            LeaseTimeout = Lease,
        }));
        var silo = await Silo.StartAsync(options);
        lock (_silos)
        {
            _silos.Add(silo);
        }

        return silo;
    }

    /// <summary>Crashes a silo: its heartbeats stop and the network cuts it off, but its activations stay (zombies).</summary>
    public async Task CrashAsync(Silo silo)
    {
        _crashed.Add(silo);
        Network.Isolate(silo.Address!.Value.Endpoint);
        await silo.FreezeAsync();
    }

    /// <summary>Stops a silo gracefully (it hands its grains over and leaves).</summary>
    public async Task StopAsync(Silo silo)
    {
        _crashed.Add(silo);
        await silo.StopAsync();
    }

    /// <summary>Waits until every live silo's view satisfies <paramref name="condition"/>.</summary>
    public Task WaitForViewAsync(Func<MembershipView, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.WaitUntilAsync(() => Live.All(s => s.ClusterView is { } view && condition(view)), timeout ?? TimeSpan.FromSeconds(30), what);

    /// <summary>The live silo holding an activation of <paramref name="grain"/>, or null.</summary>
    public Silo? Host(Granary.Contracts.Grains.GrainId grain) => Live.SingleOrDefault(s => s.IsActive(grain));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            Network.Heal(silo.Address?.Endpoint ?? "");
            try
            {
                await silo.StopAsync();
            }
            catch (Exception)
            {
                // A crashed silo cannot leave cleanly; the schema goes below anyway.
            }
        }

        await TestPostgres.DropSchemaAsync(Schema);
    }
}
