using Granary.Contracts.Grains;
using Granary.Runtime.Membership;

namespace Granary.Runtime.Clustering;

/// <summary>An activation may not run here: a live silo holds its grain in the directory, or another silo owns it by placement; its calls go there.</summary>
internal sealed class GrainHeldElsewhereException(GrainId grain, SiloAddress holder)
    : Exception($"Grain {grain} belongs to silo {holder}; the call is forwarded there.")
{
    public SiloAddress Holder { get; } = holder;
}
