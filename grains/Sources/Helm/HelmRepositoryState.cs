using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Resources;

namespace Granary.Grains.Sources.Helm;

/// <summary>A HelmRepository's state: the fold of its events.</summary>
public sealed class HelmRepositoryState : ResourceState
{
    /// <summary>The desired state.</summary>
    public HelmRepositorySpec? Spec { get; set; }

    /// <summary>The latest stored index (null for an OCI repository, which has none).</summary>
    public SourceArtifact? Artifact { get; set; }

    /// <summary>Whether the last check succeeded (an OCI repository is ready once its URL was checked).</summary>
    public bool Checked { get; set; }

    /// <summary>The failure of the last fetch, if it failed.</summary>
    public HelmIndexFetchFailed? Failure { get; set; }

    /// <summary>Charts downloaded and stored, by <c>chart@version</c>.</summary>
    public Dictionary<string, HelmChartPulled> Charts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Grains told about new indexes.</summary>
    public List<GrainId> Subscribers { get; set; } = [];

    /// <summary>Whether the spec asks for an OCI registry.</summary>
    public bool IsOci => Spec?.Type == "oci";

    /// <summary>Folds one event.</summary>
    public HelmRepositoryState Apply(object @event)
    {
        if (ApplyCommon(@event))
        {
            return this;
        }

        switch (@event)
        {
            case HelmRepositorySpecApplied applied:
                Exists = true;
                Generation = applied.Generation;
                Spec = applied.Spec;
                Labels = applied.Labels;
                if (IsOci)
                {
                    Artifact = null;
                }

                break;
            case HelmIndexFetched fetched:
                Artifact = fetched.Digest is null ? null : new SourceArtifact(fetched.Revision, fetched.Digest, fetched.Size, fetched.At);
                Checked = true;
                ObservedGeneration = fetched.Generation;
                Failure = null;
                ReadySince = fetched.At;
                break;
            case HelmIndexFetchSucceeded succeeded:
                ObservedGeneration = succeeded.Generation;
                Checked = true;
                if (Failure is not null)
                {
                    ReadySince = succeeded.At;
                }

                Failure = null;
                break;
            case HelmIndexFetchFailed failed:
                ObservedGeneration = failed.Generation;
                if (Failure is null)
                {
                    ReadySince = failed.At;
                }

                Failure = failed;
                break;
            case HelmChartPulled pulled:
                Charts[$"{pulled.Chart}@{pulled.Version}"] = pulled;
                break;
            case HelmRepositorySubscriberAdded added:
                Subscribers.Add(new GrainId(added.Kind, added.Key));
                break;
            case Deleted:
                Exists = false;
                Spec = null;
                Artifact = null;
                Checked = false;
                Failure = null;
                break;
        }

        return this;
    }
}
