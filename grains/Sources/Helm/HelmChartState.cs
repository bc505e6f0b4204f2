using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;

namespace Granary.Grains.Sources.Helm;

/// <summary>A HelmChart's state: the fold of its events.</summary>
public sealed class HelmChartState : SourceState
{
    /// <summary>The desired state.</summary>
    public HelmChartSpec? Spec { get; set; }

    /// <summary>The latest stored chart as consumers use it: name, version, app version, digest (the artifact's revision is the version, as Flux reports it).</summary>
    public HelmChartArtifact? Chart { get; set; }

    /// <summary>The source revision the latest chart came from.</summary>
    public string? SourceRevision { get; set; }

    /// <summary>Folds one event.</summary>
    public HelmChartState Apply(object @event)
    {
        if (ApplyCommon(@event))
        {
            return this;
        }

        switch (@event)
        {
            case HelmChartSpecApplied applied:
                Exists = true;
                Generation = applied.Generation;
                Spec = applied.Spec;
                Labels = applied.Labels;
                break;
            case HelmChartArtifactStored stored:
                Stored(stored.Generation, new SourceArtifact(stored.Version, stored.Digest, stored.Size, stored.At));
                Chart = new HelmChartArtifact(stored.Chart, stored.Version, stored.AppVersion, stored.Digest, stored.Size);
                SourceRevision = stored.SourceRevision;
                break;
            case HelmChartPullSucceeded succeeded:
                Succeeded(succeeded.Generation, succeeded.At);
                break;
            case HelmChartPullFailed failed:
                Failed(failed.Generation, failed.Reason, failed.Message, failed.At);
                break;
            case HelmChartSubscriberAdded added:
                Subscribers.Add(new GrainId(added.Kind, added.Key));
                break;
            case Deleted:
                Gone();
                Spec = null;
                Chart = null;
                break;
        }

        return this;
    }
}
