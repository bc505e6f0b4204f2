namespace Granary.Runtime.Membership;

/// <summary>
/// A silo's identity in the cluster: the endpoint other silos reach it at, and the generation it got when it
/// joined. A restarted process on the same endpoint is a new generation, so a new identity.
/// </summary>
public readonly record struct SiloAddress(string Endpoint, long Generation)
{
    /// <inheritdoc />
    public override string ToString() => $"{Endpoint}@{Generation}";
}
