using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Grains.Resources;

namespace Granary.Grains.Deployments;

/// <summary>A Kustomization's state: the fold of its events.</summary>
public sealed class KustomizationState : ResourceState
{
    /// <summary>The desired state.</summary>
    public KustomizationSpec? Spec { get; set; }

    /// <summary>The source revision last applied successfully.</summary>
    public string? LastAppliedRevision { get; set; }

    /// <summary>The source revision last tried.</summary>
    public string? LastAttemptedRevision { get; set; }

    /// <summary>Every object applied, as Flux inventory ids.</summary>
    public List<string> Inventory { get; set; } = [];

    /// <summary>The failure of the last reconcile, if it failed.</summary>
    public ApplyFailed? Failure { get; set; }

    /// <summary>The (revision, dependency) pairs already recorded as not ready.</summary>
    public HashSet<string> RecordedWaits { get; set; } = [];

    /// <summary>Kustomizations to tell when this one becomes ready.</summary>
    public List<string> Dependents { get; set; } = [];

    /// <summary>The Granary resources this Kustomization declared from its build, as <c>Kind namespace/name|generation</c>.</summary>
    public List<string> Resources { get; set; } = [];

    /// <summary>For a fleet (<c>spec.clusterSelector</c>): what is applied on each Cluster, by Cluster key.</summary>
    public Dictionary<string, ClusterDeployment> Fleet { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Folds one event.</summary>
    public KustomizationState Apply(object @event)
    {
        if (ApplyCommon(@event))
        {
            return this;
        }

        switch (@event)
        {
            case KustomizationSpecApplied applied:
                Exists = true;
                Generation = applied.Generation;
                Spec = applied.Spec;
                Labels = applied.Labels;
                break;
            case Applied { Cluster: { } cluster } applied:
                var deployment = FleetMember(cluster);
                deployment.ObservedGeneration = applied.Generation;
                deployment.LastAppliedRevision = applied.Revision;
                deployment.Inventory = [.. applied.Inventory];
                deployment.Failure = null;
                ObservedGeneration = applied.Generation;
                LastAttemptedRevision = applied.Revision;
                if (Failure is not null || ReadySince == default)
                {
                    ReadySince = applied.At;
                }

                Failure = null;
                break;
            case ApplyFailed { Cluster: { } cluster } failed:
                var failing = FleetMember(cluster);
                failing.ObservedGeneration = failed.Generation;
                failing.Failure = failed;
                ObservedGeneration = failed.Generation;
                LastAttemptedRevision = failed.Revision;
                Failure = null;
                break;
            case ClusterReleased released:
                Fleet.Remove(released.Cluster);
                break;
            case Applied applied:
                if (applied.Resources is { } resources)
                {
                    Resources = [.. resources];
                }

                ObservedGeneration = applied.Generation;
                LastAppliedRevision = applied.Revision;
                LastAttemptedRevision = applied.Revision;
                Inventory = [.. applied.Inventory];
                if (Failure is not null || ReadySince == default)
                {
                    ReadySince = applied.At;
                }

                Failure = null;
                break;
            case ApplyFailed failed:
                ObservedGeneration = failed.Generation;
                LastAttemptedRevision = failed.Revision;
                if (Failure is null)
                {
                    ReadySince = failed.At;
                }

                Failure = failed;
                break;
            case DependencyNotReady waiting:
                RecordedWaits.Add($"{waiting.Revision}|{waiting.Dependency}");
                break;
            case DependentAdded added:
                Dependents.Add(added.Key);
                break;
            case Deleted:
                Exists = false;
                Spec = null;
                Inventory = [];
                Resources = [];
                Fleet.Clear();
                Failure = null;
                break;
        }

        return this;
    }

    private ClusterDeployment FleetMember(string cluster)
    {
        if (!Fleet.TryGetValue(cluster, out var deployment))
        {
            Fleet[cluster] = deployment = new ClusterDeployment();
        }

        return deployment;
    }
}

/// <summary>A fleet Kustomization on one Cluster: the generation and revision applied there, its inventory, its failure.</summary>
public sealed class ClusterDeployment
{
    /// <summary>The generation last reconciled on this Cluster.</summary>
    public long ObservedGeneration { get; set; }

    /// <summary>The revision last applied on this Cluster.</summary>
    public string? LastAppliedRevision { get; set; }

    /// <summary>The objects applied on this Cluster, as Flux inventory ids with their versions.</summary>
    public List<string> Inventory { get; set; } = [];

    /// <summary>The last apply's failure on this Cluster, if it failed.</summary>
    public ApplyFailed? Failure { get; set; }
}
