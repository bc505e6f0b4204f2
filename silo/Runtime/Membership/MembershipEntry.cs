namespace Granary.Runtime.Membership;

/// <summary>One row of the membership table: a silo, its status, its lease (last heartbeat) and the votes suspecting it.</summary>
public sealed record MembershipEntry(
    SiloAddress Silo,
    string Name,
    SiloStatus Status,
    DateTime StartedAt,
    DateTime HeartbeatAt,
    IReadOnlyList<SuspicionVote> Suspicions)
{
    /// <summary>Whether the silo still counts as a member (anything but <see cref="SiloStatus.Dead"/>).</summary>
    public bool IsAlive => Status != SiloStatus.Dead;
}

/// <summary>A peer's vote that a silo missed its lease, with the database time it was cast.</summary>
public sealed record SuspicionVote(string Voter, DateTime At);
