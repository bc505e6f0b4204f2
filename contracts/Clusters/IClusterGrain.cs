using Granary.Contracts.Grains;
using Granary.Contracts.Resources;

namespace Granary.Contracts.Clusters;

/// <summary>
/// A Cluster: owns how a fleet cluster is reached, probes its health (<c>/readyz</c>, <c>/version</c>) on its own timer, and
/// reports its labels to the fleet directory of its namespace. Key: <c>namespace/name</c>.
/// </summary>
[GrainKind("cluster")]
public interface IClusterGrain : IGrain
{
    /// <summary>Creates or changes the resource; a changed spec or labels are recorded and probed at once.</summary>
    Task<ClusterStatus> ApplyAsync(Cluster resource);

    /// <summary>Records the resource when it changed and reconciles on its own turn (not within this call); returns its generation.</summary>
    Task<long> DeclareAsync(Cluster resource);

    /// <summary>Probes now (no-op while suspended) and returns the status afterwards.</summary>
    Task<ClusterStatus> ReconcileAsync();

    /// <summary>Someone asked for a probe now; recorded with the actor.</summary>
    Task<ClusterStatus> RequestReconcileAsync();

    /// <summary>Stops probing, recording the actor and reason.</summary>
    Task SuspendAsync(string? reason);

    /// <summary>Starts probing again.</summary>
    Task ResumeAsync();

    /// <summary>Deletes the resource: it leaves the fleet directory, probing stops, and clients can no longer be had for it.</summary>
    Task DeleteAsync();

    /// <summary>The current status.</summary>
    [ReadOnly]
    Task<ClusterStatus> GetStatusAsync();

    /// <summary>How to connect (Secret references, limits; never credentials), or null when the Cluster does not exist.</summary>
    [ReadOnly]
    Task<ClusterConnectionInfo?> GetConnectionAsync();
}

/// <summary>A Cluster's status: conditions (Ready with reason Connected or the failure's), the server and its version.</summary>
public sealed record ClusterStatus(
    bool Exists,
    long Generation,
    long ObservedGeneration,
    bool Suspended,
    IReadOnlyList<Condition> Conditions,
    string? Server,
    string? ServerVersion,
    IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>Whether the Ready condition is True.</summary>
    public bool IsReady => Conditions.Any(c => c.Type == "Ready" && c.Status == "True");
}

/// <summary>
/// What a silo needs to build a client for a Cluster: its key and namespace (where its Secrets are), the generation and spec
/// (Secret references and limits). Credentials are read from the Secrets inside the silo that uses them.
/// </summary>
public sealed record ClusterConnectionInfo(string Cluster, string Namespace, long Generation, ClusterSpec Spec);
