using Granary.Contracts.Grains;
using Granary.Runtime.Membership;

namespace Granary.Runtime.Placement;

/// <summary>
/// 64-bit hashes that are the same in every process, platform and .NET version (unlike string.GetHashCode):
/// FNV-1a over the UTF-16 code units, finished with the SplitMix64 mixer so nearby inputs spread over all bits.
/// </summary>
internal static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    public static ulong Of(GrainId grain) => Mix(Append(Append(Append(FnvOffset, grain.Kind), "/"), grain.Key));

    public static ulong Of(SiloAddress silo) => Mix(Append(Append(FnvOffset, silo.Endpoint), "@") ^ (ulong)silo.Generation * FnvPrime);

    /// <summary>SplitMix64's finalizer: a bijection that flips about half the output bits per input bit.</summary>
    public static ulong Mix(ulong value)
    {
        value ^= value >> 30;
        value *= 0xbf58476d1ce4e5b9;
        value ^= value >> 27;
        value *= 0x94d049bb133111eb;
        value ^= value >> 31;
        return value;
    }

    private static ulong Append(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * FnvPrime;
            hash = (hash ^ (byte)(c >> 8)) * FnvPrime;
        }

        return hash;
    }
}
