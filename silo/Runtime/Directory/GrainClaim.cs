using Granary.Runtime.Membership;

namespace Granary.Runtime.Directory;

/// <summary>
/// The outcome of claiming a grain in the directory: granted with a fencing token (higher than every earlier
/// claim's), or refused because a live silo holds it (the call goes there instead).
/// </summary>
internal readonly record struct GrainClaim(long Fence, SiloAddress? Holder)
{
    public bool Granted => Holder is null;
}
