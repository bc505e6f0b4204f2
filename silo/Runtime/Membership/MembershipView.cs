using System.Collections.Immutable;

namespace Granary.Runtime.Membership;

/// <summary>
/// A snapshot of the membership table: its version (changed by compare-and-swap on every membership change),
/// every row, and the database time it was read at (leases are judged on the database clock, never on a silo's).
/// </summary>
public sealed class MembershipView
{
    /// <summary>The view before anything was read.</summary>
    public static readonly MembershipView Empty = new(0, DateTime.MinValue, []);

    public MembershipView(long version, DateTime databaseTime, IReadOnlyList<MembershipEntry> members)
    {
        Version = version;
        DatabaseTime = databaseTime;
        Members = [.. members];
        ActiveSilos = [.. members.Where(m => m.Status == SiloStatus.Active).Select(m => m.Silo).OrderBy(s => s.Endpoint, StringComparer.Ordinal).ThenBy(s => s.Generation)];
        ActiveSiloHashes = [.. ActiveSilos.Select(Placement.StableHash.Of)];
    }

    /// <summary>The table version this snapshot was read at.</summary>
    public long Version { get; }

    /// <summary>The database clock when the snapshot was read.</summary>
    public DateTime DatabaseTime { get; }

    /// <summary>Every row, dead ones included.</summary>
    public ImmutableArray<MembershipEntry> Members { get; }

    /// <summary>The silos grains are placed on, in a fixed order.</summary>
    public ImmutableArray<SiloAddress> ActiveSilos { get; }

    /// <summary>The placement hash of each of <see cref="ActiveSilos"/>, computed once per view.</summary>
    internal ImmutableArray<ulong> ActiveSiloHashes { get; }

    /// <summary>The row of <paramref name="silo"/>, or null if it is not in the table.</summary>
    public MembershipEntry? Find(SiloAddress silo) => Members.FirstOrDefault(m => m.Silo == silo);

    /// <summary>The status of <paramref name="silo"/> (a silo not in the table counts as dead).</summary>
    public SiloStatus StatusOf(SiloAddress silo) => Find(silo)?.Status ?? SiloStatus.Dead;

    /// <inheritdoc />
    public override string ToString() => $"v{Version}: {string.Join(", ", Members.Select(m => $"{m.Silo} {m.Status}"))}";
}
