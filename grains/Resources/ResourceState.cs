using Granary.Contracts.Events;

namespace Granary.Grains.Resources;

/// <summary>What every resource grain's state has: existence, generation, labels, suspension, and the Ready clock.</summary>
public abstract class ResourceState
{
    /// <summary>Whether the resource exists (applied and not deleted).</summary>
    public bool Exists { get; set; }

    /// <summary>How many spec changes were applied.</summary>
    public long Generation { get; set; }

    /// <summary>Labels from the resource's metadata.</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Suspended through the API.</summary>
    public bool Suspended { get; set; }

    /// <summary>The generation the last completed reconcile saw.</summary>
    public long ObservedGeneration { get; set; }

    /// <summary>When the Ready condition last changed.</summary>
    public DateTimeOffset ReadySince { get; set; }

    /// <summary>Folds the events every resource has; returns false for kind-specific ones.</summary>
    protected bool ApplyCommon(object @event)
    {
        switch (@event)
        {
            case Granary.Contracts.Events.Suspended:
                Suspended = true;
                return true;
            case Resumed:
                Suspended = false;
                return true;
            case ReconcileRequested:
                return true;
            default:
                return false;
        }
    }
}
