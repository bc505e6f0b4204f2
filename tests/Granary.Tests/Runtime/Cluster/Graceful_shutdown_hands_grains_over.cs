using Granary.Runtime.Membership;

namespace Granary.Tests.Runtime.Cluster;

public sealed class Graceful_shutdown_hands_grains_over : ClusterTestBase
{
    [Fact]
    public async Task A_leaving_silo_deactivates_its_grains_and_they_continue_on_the_others()
    {
        var keys = Enumerable.Range(0, 30).Select(i => $"leave-{i}").ToList();
        var leaving = Cluster.Silos[0];
        await Task.WhenAll(keys.Select(k => leaving.GrainFactory.Get<IEventCounterGrain>(k).IncrementAsync(1)));
        var handedOver = keys.Where(k => leaving.IsActive(EventCounter(k))).ToList();
        Assert.NotEmpty(handedOver);
        var deactivationsBefore = Probe.Deactivations;

        await Cluster.StopAsync(leaving);

        // Left, not declared: Dead without a single suspicion vote.
        await WaitForStatusAsync(leaving, SiloStatus.Dead);
        var row = Cluster.Live.First().ClusterView!.Find(leaving.Address!.Value)!;
        Assert.Equal(SiloStatus.Dead, row.Status);
        Assert.Empty(row.Suspicions);
        await Cluster.WaitForViewAsync(v => v.ActiveSilos.Length == 2, "the others to see two active silos");

        var caller = Cluster.Live.First();
        foreach (var key in keys)
        {
            Assert.Equal(2, await caller.GrainFactory.Get<IEventCounterGrain>(key).IncrementAsync(1));
            Assert.Equal([1L, 2], await VersionsAsync(key));
        }

        Assert.All(handedOver, k => Assert.Single(Cluster.Live, s => s.IsActive(EventCounter(k))));
    }

    [Fact]
    public async Task Calls_in_flight_when_a_silo_leaves_complete()
    {
        var leaving = Cluster.Silos[1];
        var caller = Cluster.Silos[0];
        var key = Enumerable.Range(0, 100).Select(i => $"inflight-{i}").First(k => Granary.Runtime.Placement.RendezvousPlacement.Owner(new("counter", k), caller.ClusterView!) == leaving.Address);
        var counter = caller.GrainFactory.Get<ICounterGrain>(key);
        await counter.IncrementAsync(1);

        var slow = counter.WaitAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None);
        var stopping = Cluster.StopAsync(leaving);

        Assert.Equal("finished", await slow);
        await stopping;
        Assert.Equal(1, await caller.GrainFactory.Get<ICounterGrain>(key).IncrementAsync(1));
    }
}
