using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Resources;

namespace Granary.Grains.Sources.Helm;

/// <summary>A HelmChart's state: the fold of its events.</summary>
public sealed class HelmChartState : ResourceState
{
    /// <summary>The desired state.</summary>
    public HelmChartSpec? Spec { get; set; }

    /// <summary>The latest stored chart (its revision is the chart version, as Flux reports it).</summary>
    public SourceArtifact? Artifact { get; set; }

    /// <summary>The latest stored chart as consumers use it: name, version, app version, digest.</summary>
    public HelmChartArtifact? Chart { get; set; }

    /// <summary>The source revision the latest chart came from.</summary>
    public string? SourceRevision { get; set; }

    /// <summary>The failure of the last pull, if it failed.</summary>
    public HelmChartPullFailed? Failure { get; set; }

    /// <summary>Grains told about new charts.</summary>
    public List<GrainId> Subscribers { get; set; } = [];

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
                Artifact = new SourceArtifact(stored.Version, stored.Digest, stored.Size, stored.At);
                Chart = new HelmChartArtifact(stored.Chart, stored.Version, stored.AppVersion, stored.Digest, stored.Size);
                SourceRevision = stored.SourceRevision;
                ObservedGeneration = stored.Generation;
                Failure = null;
                ReadySince = stored.At;
                break;
            case HelmChartPullSucceeded succeeded:
                ObservedGeneration = succeeded.Generation;
                if (Failure is not null)
                {
                    ReadySince = succeeded.At;
                }

                Failure = null;
                break;
            case HelmChartPullFailed failed:
                ObservedGeneration = failed.Generation;
                if (Failure is null)
                {
                    ReadySince = failed.At;
                }

                Failure = failed;
                break;
            case HelmChartSubscriberAdded added:
                Subscribers.Add(new GrainId(added.Kind, added.Key));
                break;
            case Deleted:
                Exists = false;
                Spec = null;
                Artifact = null;
                Chart = null;
                Failure = null;
                break;
        }

        return this;
    }
}
