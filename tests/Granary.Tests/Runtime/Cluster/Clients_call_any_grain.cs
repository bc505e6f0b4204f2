using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Runtime.Calls;
using Granary.Runtime.Clustering;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Granary.Testing;

namespace Granary.Tests.Runtime.Cluster;

/// <summary>
/// A <see cref="ClusterClient"/> — a caller outside the cluster holding only the connection string — calls grains on
/// three silos over HTTP/2: each call reaches the grain's single activation on its owner, the call context crosses,
/// and the client follows a silo's graceful leave and a crash without being told.
/// </summary>
public sealed class Clients_call_any_grain : ClusterTestBase
{
    protected override bool OverHttp => true;

    protected override TimeSpan CallTimeout => TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_client_with_the_connection_string_reaches_every_grain_on_its_owner()
    {
        await using var client = await ConnectAsync();
        var keys = Enumerable.Range(0, 30).Select(i => $"client-{i}").ToList();

        await Task.WhenAll(keys.Select(k => client.Get<IEventCounterGrain>(k).IncrementAsync(2)));
        await Task.WhenAll(keys.Select(k => client.Get<IEventCounterGrain>(k).IncrementAsync(3)));

        Assert.Equal(keys.Count, Probe.Activations);
        var view = Cluster.Live.First().ClusterView!;
        foreach (var key in keys)
        {
            var host = Assert.Single(Cluster.Live, s => s.IsActive(EventCounter(key)));
            Assert.Equal(RendezvousPlacement.Owner(EventCounter(key), view), host.Address);
            Assert.Equal(5, (await client.Get<IEventCounterGrain>(key).GetAsync()).Total);
            Assert.Equal([1L, 2L], await VersionsAsync(key));
        }

        Assert.All(Cluster.Live, s => Assert.NotEmpty(s.ActiveGrains));
    }

    [Fact]
    public async Task The_callers_correlation_and_actor_are_recorded()
    {
        await using var client = await ConnectAsync();

        using (GrainCallContext.Begin("deploy-7", actor: "ci-job"))
        {
            await client.Get<IEventCounterGrain>("audited").IncrementAsync(1);
        }

        var recorded = await Cluster.Live.First().EventStore.ReadStreamAsync("eventcounter/audited").SingleAsync();
        Assert.Equal(("deploy-7", "ci-job"), (recorded.CorrelationId, recorded.Actor));
    }

    [Fact]
    public async Task A_client_follows_a_graceful_leave_and_a_crash()
    {
        await using var client = await ConnectAsync();
        var keys = Enumerable.Range(0, 30).Select(i => $"moving-{i}").ToList();
        await Task.WhenAll(keys.Select(k => client.Get<IEventCounterGrain>(k).IncrementAsync(1)));

        var leaving = Cluster.Live.First(s => keys.Any(k => s.IsActive(EventCounter(k))));
        await Cluster.StopAsync(leaving);
        await WaitForStatusAsync(leaving, SiloStatus.Dead);

        // Straight after the leave, before the client's next periodic read: refused calls re-read the view.
        await Task.WhenAll(keys.Select(k => client.Get<IEventCounterGrain>(k).IncrementAsync(1)));

        var crashed = Cluster.Live.First(s => keys.Any(k => s.IsActive(EventCounter(k))));
        await Cluster.CrashAsync(crashed);
        await WaitForStatusAsync(crashed, SiloStatus.Dead);
        await Eventually.WaitUntilAsync(() => client.View.StatusOf(crashed.Address!.Value) == SiloStatus.Dead, Deadline, "the client to read the crashed silo as Dead");

        await Task.WhenAll(keys.Select(k => client.Get<IEventCounterGrain>(k).IncrementAsync(1)));
        foreach (var key in keys)
        {
            Assert.Equal(3, (await client.Get<IEventCounterGrain>(key).GetAsync()).Total);
            Assert.Equal([1L, 2L, 3L], await VersionsAsync(key));
        }
    }

    private Task<ClusterClient> ConnectAsync() =>
        ClusterClient.ConnectAsync(new ClusterClientOptions { ConnectionString = TestPostgres.ConnectionString, Schema = Cluster.Schema, CallTimeout = TimeSpan.FromSeconds(10) });
}
