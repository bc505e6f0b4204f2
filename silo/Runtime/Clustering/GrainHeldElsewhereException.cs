using Granary.Contracts.Grains;
using Granary.Runtime.Membership;

namespace Granary.Runtime.Clustering;

/// <summary>An activation could not claim its grain because a live silo holds it; its calls go to that silo.</summary>
internal sealed class GrainHeldElsewhereException(GrainId grain, SiloAddress holder)
    : Exception($"Grain {grain} is held by silo {holder}; the call is forwarded there.")
{
    public SiloAddress Holder { get; } = holder;
}
