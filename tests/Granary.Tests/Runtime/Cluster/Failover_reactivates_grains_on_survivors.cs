using Granary.Contracts.Grains;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Granary.Testing;

namespace Granary.Tests.Runtime.Cluster;

public sealed class Failover_reactivates_grains_on_survivors : ClusterTestBase
{
    protected override TimeSpan CallTimeout => TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_one_way_call_that_reached_for_a_dead_silo_is_delivered_once_it_is_declared_dead()
    {
        var (caller, victim) = (Cluster.Silos[0], Cluster.Silos[1]);
        var key = Enumerable.Range(0, 100).Select(i => $"notified-{i}").First(k => RendezvousPlacement.Owner(new GrainId("counter", k), caller.ClusterView!) == victim.Address);
        await caller.GrainFactory.Get<ICounterGrain>(key).IncrementAsync(1);

        // Crashed but not yet declared dead: the one-way call (a source's "changed" notification, say) cannot reach it.
        await Cluster.CrashAsync(victim);
        await caller.GrainFactory.Get<ICounterGrain>(key).IncrementLaterAsync(5);
        await WaitForStatusAsync(victim, SiloStatus.Dead);

        // Delivered again after the view caught up: the grain comes back on a survivor (in-memory state starts over).
        await Eventually.WaitUntilAsync(async () => await caller.GrainFactory.Get<ICounterGrain>(key).GetAsync() == 5, Deadline, "the one-way call to be delivered on the new owner");
        Assert.Single(Cluster.Live, s => s.IsActive(new GrainId("counter", key)));
    }

    [Fact]
    public async Task Grains_of_a_dead_silo_come_back_on_survivors_with_their_streams_intact()
    {
        var keys = Enumerable.Range(0, 30).Select(i => $"failover-{i}").ToList();
        foreach (var silo in Cluster.Live)
        {
            await Task.WhenAll(keys.Select(k => silo.GrainFactory.Get<IEventCounterGrain>(k).IncrementAsync(1)));
        }

        var victim = Cluster.Silos[1];
        var orphans = keys.Where(k => victim.IsActive(EventCounter(k))).ToList();
        Assert.NotEmpty(orphans);

        await Cluster.CrashAsync(victim);
        await WaitForStatusAsync(victim, SiloStatus.Dead);

        var survivors = Cluster.Live.ToList();
        foreach (var silo in survivors)
        {
            await Task.WhenAll(keys.Select(k => silo.GrainFactory.Get<IEventCounterGrain>(k).IncrementAsync(1)));
        }

        foreach (var key in keys)
        {
            var view = await survivors[0].GrainFactory.Get<IEventCounterGrain>(key).GetAsync();
            Assert.Equal((5, 5L), (view.Total, view.Version));
            Assert.Equal([1L, 2, 3, 4, 5], await VersionsAsync(key));
        }

        Assert.All(orphans, k =>
        {
            var host = Assert.Single(survivors, s => s.IsActive(EventCounter(k)));
            Assert.Equal(RendezvousPlacement.Owner(EventCounter(k), survivors[0].ClusterView!), host.Address);
            Assert.Equal(3, Probe.FoldedOnActivation[k]);
        });
    }

    [Fact]
    public async Task A_zombie_activation_on_a_dead_silo_cannot_append_after_the_new_owner_did()
    {
        var victim = Cluster.Silos[2];
        var key = Enumerable.Range(0, 100).Select(i => $"zombie-{i}").First(k => RendezvousPlacement.Owner(EventCounter(k), victim.ClusterView!) == victim.Address);
        await Cluster.Silos[0].GrainFactory.Get<IEventCounterGrain>(key).IncrementAsync(1);
        Assert.True(victim.IsActive(EventCounter(key)));
        var (_, fenceBefore) = await victim.Cluster!.Directory.LookupAsync(EventCounter(key), CancellationToken.None);

        await Cluster.CrashAsync(victim);
        await WaitForStatusAsync(victim, SiloStatus.Dead);
        Assert.Equal(2, await Cluster.Silos[0].GrainFactory.Get<IEventCounterGrain>(key).IncrementAsync(1));

        // The frozen silo wakes up and its activation (still there, still at version 1) tries to write.
        var zombie = victim.GrainFactory.Get<IEventCounterGrain>(key);
        await Assert.ThrowsAsync<GrainConflictException>(() => zombie.IncrementAsync(100));

        Assert.Equal([1L, 2], await VersionsAsync(key));
        var (holder, fenceAfter) = await victim.Cluster!.Directory.LookupAsync(EventCounter(key), CancellationToken.None);
        Assert.NotEqual(victim.Address, holder);
        Assert.True(fenceAfter > fenceBefore, $"the new owner's fence {fenceAfter} outranks the dead holder's {fenceBefore}");
        Assert.Equal(2, (await Cluster.Silos[1].GrainFactory.Get<IEventCounterGrain>(key).GetAsync()).Total);
    }

    [Fact]
    public async Task Reminders_wake_the_grains_of_a_dead_silo_on_survivors()
    {
        var victim = Cluster.Silos[0];
        var key = Enumerable.Range(0, 100).Select(i => $"alarm-{i}").First(k => RendezvousPlacement.Owner(new GrainId("alarm", k), victim.ClusterView!) == victim.Address);
        await Cluster.Silos[1].GrainFactory.Get<IAlarmGrain>(key).SetAsync("wake", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.True(victim.IsActive(new GrainId("alarm", key)));

        await Cluster.CrashAsync(victim);
        await WaitForStatusAsync(victim, SiloStatus.Dead);
        Probe.Reminders.Clear();

        await Eventually.WaitUntilAsync(() => Probe.Reminders.Any(r => r.Grain == key), Deadline, "a reminder tick on a survivor");
        Assert.Single(Cluster.Live, s => s.IsActive(new GrainId("alarm", key)));
    }
}
