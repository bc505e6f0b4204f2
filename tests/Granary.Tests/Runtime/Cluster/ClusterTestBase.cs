using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Testing;
using Granary.Testing.Runtime;

namespace Granary.Tests.Runtime.Cluster;

using Silo = Granary.Runtime.Silo;

/// <summary>Starts several silos in this process with every test grain registered, sharing one schema.</summary>
[Collection(ClusterCollection.Name)]
public abstract class ClusterTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    protected Probe Probe { get; } = new();

    protected TestCluster Cluster { get; private set; } = null!;

    /// <summary>How many silos the test starts with.</summary>
    protected virtual int SiloCount => 3;

    protected virtual TimeSpan CallTimeout => TimeSpan.FromSeconds(30);

    /// <summary>Whether silos call each other over HTTP/2 on loopback instead of the in-process network.</summary>
    protected virtual bool OverHttp => false;

    public async Task InitializeAsync() =>
        Cluster = await TestCluster.StartAsync(SiloCount, c => RuntimeTestBase.Options(Probe, c.ConnectionString, c.Schema, callTimeout: CallTimeout, cluster: c.Cluster), http: OverHttp);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The stream of an event-counter grain, as versions in order.</summary>
    protected async Task<List<long>> VersionsAsync(string key)
    {
        var versions = new List<long>();
        await foreach (var recorded in Cluster.Live.First().EventStore.ReadStreamAsync($"eventcounter/{key}"))
        {
            versions.Add(recorded.StreamVersion);
        }

        return versions;
    }

    /// <summary>Waits until every live silo sees <paramref name="silo"/> as <paramref name="status"/>.</summary>
    protected Task WaitForStatusAsync(Silo silo, Granary.Runtime.Membership.SiloStatus status) =>
        Cluster.WaitForViewAsync(v => v.StatusOf(silo.Address!.Value) == status, $"every live silo to see {silo.Address} as {status}");

    protected static GrainId EventCounter(string key) => new("eventcounter", key);
}

/// <summary>
/// Cluster tests run one at a time, and after every other collection rather than beside them: their failure detectors
/// measure leases against the machine's clock, and a machine busy with the rest of the suite misses leases.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
