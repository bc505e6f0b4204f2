using System.Collections.Immutable;
using Granary.Contracts.Grains;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;

namespace Granary.Tests.Runtime.Cluster;

public sealed class Placement_is_rendezvous_hashing
{
    private static readonly ImmutableArray<SiloAddress> Four = [new("10.0.0.1:7000", 1), new("10.0.0.2:7000", 2), new("10.0.0.3:7000", 3), new("10.0.0.4:7000", 4)];

    private static readonly GrainId[] Grains = [.. Enumerable.Range(0, 20_000).Select(i => new GrainId("kustomization", $"ns-{i % 37}/app-{i}"))];

    [Fact]
    public void Every_silo_computes_the_same_owner_whatever_the_order_of_its_list()
    {
        var reversed = Four.Reverse().ToImmutableArray();

        Assert.All(Grains.Take(2_000), g => Assert.Equal(RendezvousPlacement.Owner(g, Four), RendezvousPlacement.Owner(g, reversed)));
    }

    [Fact]
    public void Hashes_are_the_same_in_every_process_and_version()
    {
        // Fixed values: if they changed, a rolling upgrade would run silos that disagree on every owner.
        Assert.Equal(0x972290f4354d8784UL, StableHash.Of(new GrainId("kustomization", "flux-system/apps")));
        Assert.Equal(0xde7f9a9178c09f11UL, StableHash.Of(Four[0]));
    }

    [Fact]
    public void Grains_spread_evenly_over_the_silos()
    {
        var counts = Grains.GroupBy(g => RendezvousPlacement.Owner(g, Four)!.Value).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 5_000 * 0.9, 5_000 * 1.1));
    }

    [Fact]
    public void When_a_silo_leaves_only_its_grains_move()
    {
        var three = Four.RemoveAt(3);

        foreach (var grain in Grains)
        {
            var before = RendezvousPlacement.Owner(grain, Four)!.Value;
            if (before != Four[3])
            {
                Assert.Equal(before, RendezvousPlacement.Owner(grain, three));
            }
        }
    }

    [Fact]
    public void When_a_silo_joins_only_the_grains_it_wins_move_about_one_in_n()
    {
        var five = Four.Add(new SiloAddress("10.0.0.5:7000", 5));

        var moved = Grains.Where(g => RendezvousPlacement.Owner(g, Four) != RendezvousPlacement.Owner(g, five)).ToList();

        Assert.All(moved, g => Assert.Equal(five[4], RendezvousPlacement.Owner(g, five)));
        Assert.InRange(moved.Count, Grains.Length / 5 * 0.9, Grains.Length / 5 * 1.1);
    }

    [Fact]
    public void A_restarted_silo_is_a_new_identity_with_its_own_grains()
    {
        var restarted = Four.SetItem(0, Four[0] with { Generation = 99 });

        var moved = Grains.Count(g => RendezvousPlacement.Owner(g, Four) != RendezvousPlacement.Owner(g, restarted));

        // Its old grains all move (a quarter), and the new identity wins a quarter of everyone else's.
        Assert.InRange(moved, Grains.Length * 0.25, Grains.Length * (0.25 + 0.75 * 0.25) * 1.1);
    }

    [Fact]
    public void No_active_silo_means_no_owner() => Assert.Null(RendezvousPlacement.Owner(Grains[0], []));
}
