using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Grains.Resources;

namespace Granary.Grains.Clusters;

/// <summary>A Cluster's state: the fold of its events.</summary>
public sealed class ClusterState : ResourceState
{
    /// <summary>The desired state (Secret references, never credentials).</summary>
    public ClusterSpec? Spec { get; set; }

    /// <summary>The last successful probe's finding (kept while unreachable, for the last known version).</summary>
    public ClusterConnected? Connected { get; set; }

    /// <summary>Why the cluster cannot be used now, or null when it is connected (or not probed yet).</summary>
    public ClusterUnreachable? Failure { get; set; }

    /// <summary>Folds one event.</summary>
    public ClusterState Apply(object @event)
    {
        if (ApplyCommon(@event))
        {
            return this;
        }

        switch (@event)
        {
            case ClusterSpecApplied applied:
                Exists = true;
                Generation = applied.Generation;
                Spec = applied.Spec;
                Labels = applied.Labels;
                break;
            case ClusterConnected connected:
                if (Connected is null || Failure is not null)
                {
                    ReadySince = connected.At;
                }

                Connected = connected;
                Failure = null;
                ObservedGeneration = connected.Generation;
                break;
            case ClusterUnreachable unreachable:
                if (Failure is null)
                {
                    ReadySince = unreachable.At;
                }

                Failure = unreachable;
                ObservedGeneration = unreachable.Generation;
                break;
            case Deleted:
                Exists = false;
                Spec = null;
                Connected = null;
                Failure = null;
                break;
        }

        return this;
    }
}
