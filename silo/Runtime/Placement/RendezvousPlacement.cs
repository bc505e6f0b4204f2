using System.Collections.Immutable;
using Granary.Contracts.Grains;
using Granary.Runtime.Membership;

namespace Granary.Runtime.Placement;

/// <summary>
/// Which silo owns a grain: rendezvous (highest-random-weight) hashing over the Active silos of a membership view.
/// Every silo with the same view computes the same owner, with no coordination. When a silo joins, only the grains
/// it now wins move (about 1/n of them); when one leaves, only its own grains move, each to its runner-up. Modulo
/// hashing would reshuffle almost everything instead.
/// </summary>
internal static class RendezvousPlacement
{
    /// <summary>The owner of <paramref name="grain"/> among <paramref name="silos"/>, or null when there is none.</summary>
    public static SiloAddress? Owner(GrainId grain, ImmutableArray<SiloAddress> silos) =>
        Owner(grain, silos, [.. silos.Select(StableHash.Of)]);

    /// <summary>The owner of <paramref name="grain"/> in <paramref name="view"/>, or null when no silo is Active.</summary>
    public static SiloAddress? Owner(GrainId grain, MembershipView view) => Owner(grain, view.ActiveSilos, view.ActiveSiloHashes);

    private static SiloAddress? Owner(GrainId grain, ImmutableArray<SiloAddress> silos, ImmutableArray<ulong> hashes)
    {
        if (silos.IsDefaultOrEmpty)
        {
            return null;
        }

        var grainHash = StableHash.Of(grain);
        var best = silos[0];
        var bestWeight = StableHash.Mix(grainHash ^ hashes[0]);
        for (var i = 1; i < silos.Length; i++)
        {
            var weight = StableHash.Mix(grainHash ^ hashes[i]);

            // Ties (astronomically rare) go to the lower address, so the answer never depends on list order.
            if (weight > bestWeight || weight == bestWeight && Compare(silos[i], best) < 0)
            {
                best = silos[i];
                bestWeight = weight;
            }
        }

        return best;
    }

    private static int Compare(SiloAddress a, SiloAddress b)
    {
        var byEndpoint = string.CompareOrdinal(a.Endpoint, b.Endpoint);
        return byEndpoint != 0 ? byEndpoint : a.Generation.CompareTo(b.Generation);
    }
}
