namespace Granary.Runtime.Membership;

/// <summary>Why a clustered silo stopped serving on its own: the host should exit (and may start a new generation).</summary>
public sealed record SiloTermination(SiloAddress Silo, string Reason);
