using Granary.Runtime.Transport;

namespace Granary.Runtime;

/// <summary>
/// How a silo joins a cluster: the endpoint peers reach it at, the transport for silo-to-silo calls, and the
/// membership clocks. Leave <see cref="SiloOptions.Cluster"/> null to run a single silo.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>Where peers reach this silo (for HTTP/2, <c>host:port</c>); with the generation it is the silo's identity.</summary>
    public required string Endpoint { get; init; }

    /// <summary>Carries calls between silos.</summary>
    public required ISiloTransport Transport { get; init; }

    /// <summary>How often the silo renews its lease and re-reads the membership table.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A silo whose lease is older than this (on the database clock) is suspected, and declared dead once enough
    /// peers vote. The silo itself stops serving when it could not renew for half of this, well before anyone may
    /// take its grains over.
    /// </summary>
    public TimeSpan LeaseTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>How many times a call may be forwarded between silos whose views disagree.</summary>
    public int MaxForwards { get; init; } = 2;

    /// <summary>How long the silo stops serving without renewing, derived from <see cref="LeaseTimeout"/>.</summary>
    internal TimeSpan SelfLeaseTimeout => LeaseTimeout / 2;
}
