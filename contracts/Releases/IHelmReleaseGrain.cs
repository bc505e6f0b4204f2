using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;

namespace Granary.Contracts.Releases;

/// <summary>A HelmRelease: renders a chart with values and keeps its objects applied, with release history as events. Key: <c>namespace/name</c>.</summary>
[GrainKind("helmrelease")]
public interface IHelmReleaseGrain : ISourceSubscriber, Clusters.IClusterSubscriber
{
    /// <summary>Creates or changes the resource; a changed spec is recorded and reconciled.</summary>
    Task<HelmReleaseStatus> ApplyAsync(HelmRelease resource);

    /// <summary>Records the resource when it changed and reconciles on its own turn (not within this call); returns its generation.</summary>
    Task<long> DeclareAsync(HelmRelease resource);

    /// <summary>Reconciles now (no-op while suspended) and returns the status afterwards.</summary>
    Task<HelmReleaseStatus> ReconcileAsync();

    /// <summary>Someone asked for a reconcile now (optionally fetching the source first); recorded with the actor.</summary>
    Task<HelmReleaseStatus> RequestReconcileAsync(bool withSource);

    /// <summary>Stops reconciling, recording the actor and reason.</summary>
    Task SuspendAsync(string? reason);

    /// <summary>Starts reconciling again.</summary>
    Task ResumeAsync();

    /// <summary>Uninstalls the release (deletes its objects) and deletes the resource.</summary>
    Task DeleteAsync();

    /// <summary>The current status.</summary>
    [ReadOnly]
    Task<HelmReleaseStatus> GetStatusAsync();

    /// <summary>The release history, oldest first, as <c>helm history</c> shows it.</summary>
    [ReadOnly]
    Task<IReadOnlyList<HelmReleaseRevision>> GetHistoryAsync();

    /// <summary>The keys of the HelmReleases this one depends on.</summary>
    [ReadOnly]
    Task<IReadOnlyList<string>> GetDependenciesAsync();

    /// <summary>Registers <paramref name="dependentKey"/> to be told when this one becomes ready; returns the current status.</summary>
    Task<HelmReleaseStatus> AddDependentAsync(string dependentKey);

    /// <summary>A dependency became ready: check again.</summary>
    [OneWay]
    Task DependencyReadyAsync(string dependencyKey);
}

/// <summary>A HelmRelease's status as Flux shows it.</summary>
public sealed record HelmReleaseStatus(
    bool Exists,
    long Generation,
    long ObservedGeneration,
    bool Suspended,
    IReadOnlyList<Condition> Conditions,
    int? LastRelease,
    string? LastAppliedRevision,
    string? LastAttemptedRevision,
    string? LastAttemptedValuesChecksum,
    int InstallFailures,
    int UpgradeFailures,
    IReadOnlyList<string> Inventory,
    IReadOnlyList<Deployments.ClusterDeploymentStatus>? Clusters = null)
{
    /// <summary>Whether the Ready condition is True.</summary>
    public bool IsReady => Conditions.Any(c => c.Type == "Ready" && c.Status == "True");

    /// <summary>The Ready condition's reason, if any.</summary>
    public string? ReadyReason => Conditions.FirstOrDefault(c => c.Type == "Ready")?.Reason;
}

/// <summary>One revision of a release, as a row of <c>helm history</c>.</summary>
/// <param name="Revision">The release number.</param>
/// <param name="Updated">When it was made.</param>
/// <param name="Status">deployed, superseded, failed or uninstalled.</param>
/// <param name="Chart"><c>name-version</c>.</param>
/// <param name="AppVersion">The chart's app version.</param>
/// <param name="Description">What happened.</param>
public sealed record HelmReleaseRevision(int Revision, DateTimeOffset Updated, string Status, string Chart, string? AppVersion, string Description);
