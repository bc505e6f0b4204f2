using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Runtime.Placement;
using Granary.Runtime.Transport;

namespace Granary.Tests.Runtime.Cluster;

using Silo = Granary.Runtime.Silo;

public sealed class Calls_are_forwarded_while_views_disagree : ClusterTestBase
{
    private static readonly System.Reflection.MethodInfo Increment = typeof(IEventCounterGrain).GetMethod(nameof(IEventCounterGrain.IncrementAsync))!;

    [Fact]
    public async Task A_call_that_reaches_a_silo_not_owning_the_grain_is_forwarded_to_the_owner()
    {
        var (owner, other, key) = OwnerAndOther();

        var result = await other.Cluster!.HandleAsync(Request(key, forwards: 0), CancellationToken.None);

        Assert.Equal(1, result);
        Assert.True(owner.IsActive(EventCounter(key)));
        Assert.False(other.IsActive(EventCounter(key)));
    }

    [Fact]
    public async Task A_call_is_forwarded_at_most_twice()
    {
        var (_, other, key) = OwnerAndOther();

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => other.Cluster!.HandleAsync(Request(key, forwards: 2), CancellationToken.None));

        Assert.Contains("forwarded 2 times", error.Message);
        Assert.Equal(0, Probe.Activations);
    }

    [Fact]
    public async Task An_owner_whose_claim_finds_a_stale_holder_gets_the_grain_through_it()
    {
        var (owner, other, key) = OwnerAndOther();

        // The directory says another live silo holds the grain (it activated it under an older view and its release was lost).
        var stale = await other.Cluster!.Directory.ClaimAsync(EventCounter(key), other.Address!.Value, CancellationToken.None);
        Assert.True(stale.Granted);

        Assert.Equal(1, await Cluster.Live.First().GrainFactory.Get<IEventCounterGrain>(key).IncrementAsync(1));

        Assert.True(owner.IsActive(EventCounter(key)));
        Assert.Equal(1, Probe.Activations);
        var (holder, fence) = await owner.Cluster!.Directory.LookupAsync(EventCounter(key), CancellationToken.None);
        Assert.Equal((owner.Address, stale.Fence + 1), (holder, fence));
    }

    private (Silo Owner, Silo Other, string Key) OwnerAndOther()
    {
        var silos = Cluster.Live.ToList();
        var view = silos[0].ClusterView!;
        var key = Enumerable.Range(0, 100).Select(i => $"forward-{i}").First(k => RendezvousPlacement.Owner(EventCounter(k), view) == silos[0].Address);
        return (silos[0], silos[1], key);
    }

    private static SiloRequest Request(string key, int forwards) =>
        new(new GrainId("eventcounter", key), Increment, [1], new CallHeaders(null, null, null, null, null, TimeSpan.FromSeconds(10), []), forwards, ToHolder: false);
}
