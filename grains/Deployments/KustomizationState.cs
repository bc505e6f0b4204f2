using Granary.Contracts.Events;
using Granary.Contracts.Resources;

namespace Granary.Grains.Deployments;

/// <summary>A Kustomization's state: the fold of its events.</summary>
public sealed class KustomizationState
{
    /// <summary>Whether the resource exists.</summary>
    public bool Exists { get; set; }

    /// <summary>How many spec changes were applied.</summary>
    public long Generation { get; set; }

    /// <summary>The desired state.</summary>
    public KustomizationSpec? Spec { get; set; }

    /// <summary>Labels from the resource's metadata.</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Suspended through the API.</summary>
    public bool Suspended { get; set; }

    /// <summary>The generation the last completed reconcile saw.</summary>
    public long ObservedGeneration { get; set; }

    /// <summary>The source revision last applied successfully.</summary>
    public string? LastAppliedRevision { get; set; }

    /// <summary>The source revision last tried.</summary>
    public string? LastAttemptedRevision { get; set; }

    /// <summary>Every object applied, as Flux inventory ids.</summary>
    public List<string> Inventory { get; set; } = [];

    /// <summary>The failure of the last reconcile, if it failed.</summary>
    public ApplyFailed? Failure { get; set; }

    /// <summary>When the Ready condition last changed.</summary>
    public DateTimeOffset ReadySince { get; set; }

    /// <summary>The (revision, dependency) pairs already recorded as not ready.</summary>
    public HashSet<string> RecordedWaits { get; set; } = [];

    /// <summary>Kustomizations to tell when this one becomes ready.</summary>
    public List<string> Dependents { get; set; } = [];

    /// <summary>Folds one event.</summary>
    public KustomizationState Apply(object @event)
    {
        switch (@event)
        {
            case KustomizationSpecApplied applied:
                Exists = true;
                Generation = applied.Generation;
                Spec = applied.Spec;
                Labels = applied.Labels;
                break;
            case Applied applied:
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
            case Granary.Contracts.Events.Suspended:
                Suspended = true;
                break;
            case Granary.Contracts.Events.Resumed:
                Suspended = false;
                break;
            case Deleted:
                Exists = false;
                Spec = null;
                Inventory = [];
                Failure = null;
                break;
        }

        return this;
    }
}
