using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;

namespace Granary.Contracts.Deployments;

/// <summary>A Kustomization: builds manifests from a source artifact and applies them to a cluster. Key: <c>namespace/name</c>.</summary>
[GrainKind("kustomization")]
public interface IKustomizationGrain : ISourceSubscriber, Clusters.IClusterSubscriber
{
    /// <summary>Creates or changes the resource; a changed spec is recorded and reconciled.</summary>
    Task<DeploymentStatus> ApplyAsync(Kustomization resource);

    /// <summary>Records the resource when it changed and reconciles on its own turn (not within this call); returns its generation.</summary>
    Task<long> DeclareAsync(Kustomization resource);

    /// <summary>Reconciles now (no-op while suspended) and returns the status afterwards.</summary>
    Task<DeploymentStatus> ReconcileAsync();

    /// <summary>Someone asked for a reconcile now (optionally fetching the source first); recorded with the actor.</summary>
    Task<DeploymentStatus> RequestReconcileAsync(bool withSource);

    /// <summary>Stops reconciling, recording the actor and reason.</summary>
    Task SuspendAsync(string? reason);

    /// <summary>Starts reconciling again.</summary>
    Task ResumeAsync();

    /// <summary>Deletes the resource, pruning what it applied when <c>spec.prune</c> is true.</summary>
    Task DeleteAsync();

    /// <summary>The current status.</summary>
    [ReadOnly]
    Task<DeploymentStatus> GetStatusAsync();

    /// <summary>
    /// Renders the source's current artifact and compares it with the cluster by server-side dry-run, like
    /// <c>flux diff kustomization</c>: appends no event and changes nothing in the cluster. Throws
    /// <see cref="InvalidOperationException"/> naming the reason when it cannot (no artifact, build failed, a fleet).
    /// </summary>
    Task<KustomizationDiff> DiffAsync();

    /// <summary>The keys of the Kustomizations this one depends on (for cycle detection).</summary>
    [ReadOnly]
    Task<IReadOnlyList<string>> GetDependenciesAsync();

    /// <summary>Registers <paramref name="dependentKey"/> to be told when this one becomes ready; returns the current status.</summary>
    Task<DeploymentStatus> AddDependentAsync(string dependentKey);

    /// <summary>A dependency became ready: check again.</summary>
    [OneWay]
    Task DependencyReadyAsync(string dependencyKey);
}

/// <summary>
/// A Kustomization's status as Flux shows it. For a fleet (<c>spec.clusterSelector</c>) the conditions and revisions sum up
/// <paramref name="Clusters"/>, the status per selected Cluster, and <paramref name="Inventory"/> lists each object once per
/// cluster as <c>namespace/cluster|id</c>.
/// </summary>
public sealed record DeploymentStatus(
    bool Exists,
    long Generation,
    long ObservedGeneration,
    bool Suspended,
    IReadOnlyList<Condition> Conditions,
    string? LastAppliedRevision,
    string? LastAttemptedRevision,
    IReadOnlyList<string> Inventory,
    IReadOnlyList<ClusterDeploymentStatus>? Clusters = null)
{
    /// <summary>Whether the Ready condition is True.</summary>
    public bool IsReady => Conditions.Any(c => c.Type == "Ready" && c.Status == "True");

    /// <summary>The Ready condition's reason, if any.</summary>
    public string? ReadyReason => Conditions.FirstOrDefault(c => c.Type == "Ready")?.Reason;
}

/// <summary>A fleet Kustomization's status on one Cluster.</summary>
/// <param name="Cluster">The Cluster's key, <c>namespace/name</c>.</param>
/// <param name="Ready">Whether the current revision and generation are applied there.</param>
/// <param name="Reason">Flux's reason (<c>ReconciliationSucceeded</c>, or the failure's).</param>
/// <param name="Message">What happened.</param>
/// <param name="LastAppliedRevision">The revision last applied there.</param>
/// <param name="Inventory">The objects applied there, as Flux inventory ids.</param>
public sealed record ClusterDeploymentStatus(string Cluster, bool Ready, string Reason, string Message, string? LastAppliedRevision, IReadOnlyList<string> Inventory);
