using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Resources;

namespace Granary.Grains.Sources.Oci;

/// <summary>An OCIRepository's state: the fold of its events.</summary>
public sealed class OCIRepositoryState : ResourceState
{
    /// <summary>The desired state.</summary>
    public OCIRepositorySpec? Spec { get; set; }

    /// <summary>The latest stored artifact (revision <c>tag@sha256:…</c>).</summary>
    public SourceArtifact? Artifact { get; set; }

    /// <summary>The media type of the stored layer.</summary>
    public string? MediaType { get; set; }

    /// <summary>The failure of the last check, if it failed.</summary>
    public OCIArtifactPullFailed? Failure { get; set; }

    /// <summary>Grains told about new artifacts.</summary>
    public List<GrainId> Subscribers { get; set; } = [];

    /// <summary>Folds one event.</summary>
    public OCIRepositoryState Apply(object @event)
    {
        if (ApplyCommon(@event))
        {
            return this;
        }

        switch (@event)
        {
            case OCIRepositorySpecApplied applied:
                Exists = true;
                Generation = applied.Generation;
                Spec = applied.Spec;
                Labels = applied.Labels;
                break;
            case OCIArtifactStored stored:
                Artifact = new SourceArtifact(stored.Revision, stored.Digest, stored.Size, stored.At);
                MediaType = stored.MediaType;
                ObservedGeneration = stored.Generation;
                Failure = null;
                ReadySince = stored.At;
                break;
            case OCIArtifactPullSucceeded succeeded:
                ObservedGeneration = succeeded.Generation;
                if (Failure is not null)
                {
                    ReadySince = succeeded.At;
                }

                Failure = null;
                break;
            case OCIArtifactPullFailed failed:
                ObservedGeneration = failed.Generation;
                if (Failure is null)
                {
                    ReadySince = failed.At;
                }

                Failure = failed;
                break;
            case OCIRepositorySubscriberAdded added:
                Subscribers.Add(new GrainId(added.Kind, added.Key));
                break;
            case Deleted:
                Exists = false;
                Spec = null;
                Artifact = null;
                MediaType = null;
                Failure = null;
                break;
        }

        return this;
    }
}
