using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;

namespace Granary.Grains.Sources.Oci;

/// <summary>An OCIRepository's state: the fold of its events.</summary>
public sealed class OCIRepositoryState : SourceState
{
    /// <summary>The desired state.</summary>
    public OCIRepositorySpec? Spec { get; set; }

    /// <summary>The media type of the stored layer.</summary>
    public string? MediaType { get; set; }

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
                Stored(stored.Generation, new SourceArtifact(stored.Revision, stored.Digest, stored.Size, stored.At));
                MediaType = stored.MediaType;
                break;
            case OCIArtifactPullSucceeded succeeded:
                Succeeded(succeeded.Generation, succeeded.At);
                break;
            case OCIArtifactPullFailed failed:
                Failed(failed.Generation, failed.Reason, failed.Message, failed.At);
                break;
            case OCIRepositorySubscriberAdded added:
                Subscribers.Add(new GrainId(added.Kind, added.Key));
                break;
            case Deleted:
                Gone();
                Spec = null;
                MediaType = null;
                break;
        }

        return this;
    }
}
