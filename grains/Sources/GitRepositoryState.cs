using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Resources;

namespace Granary.Grains.Sources;

/// <summary>A GitRepository's state: the fold of its events.</summary>
public sealed class GitRepositoryState : ResourceState
{
    /// <summary>The desired state.</summary>
    public GitRepositorySpec? Spec { get; set; }

    /// <summary>The latest stored artifact.</summary>
    public SourceArtifact? Artifact { get; set; }

    /// <summary>The commit of the latest artifact.</summary>
    public string? Commit { get; set; }

    /// <summary>The fingerprint of the inputs besides the commit that built the latest artifact (a change rebuilds it).</summary>
    public string? ObservedInputs { get; set; }

    /// <summary>The failure of the last fetch, if it failed.</summary>
    public FetchFailed? Failure { get; set; }

    /// <summary>Grains told about new artifacts.</summary>
    public List<GrainId> Subscribers { get; set; } = [];

    /// <summary>Folds one event.</summary>
    public GitRepositoryState Apply(object @event)
    {
        if (ApplyCommon(@event))
        {
            return this;
        }

        switch (@event)
        {
            case GitRepositorySpecApplied applied:
                Exists = true;
                Generation = applied.Generation;
                Spec = applied.Spec;
                Labels = applied.Labels;
                break;
            case ArtifactFetched fetched:
                Artifact = new SourceArtifact(fetched.Revision, fetched.Digest, fetched.Size, fetched.At);
                Commit = fetched.Commit;
                ObservedGeneration = fetched.Generation;
                ObservedInputs = fetched.Inputs;
                Failure = null;
                ReadySince = fetched.At;
                break;
            case FetchSucceeded succeeded:
                ObservedGeneration = succeeded.Generation;
                if (Failure is not null)
                {
                    ReadySince = succeeded.At;
                }

                Failure = null;
                break;
            case FetchFailed failed:
                ObservedGeneration = failed.Generation;
                if (Failure is null)
                {
                    ReadySince = failed.At;
                }

                Failure = failed;
                break;
            case SubscriberAdded added:
                Subscribers.Add(new GrainId(added.Kind, added.Key));
                break;
            case Deleted:
                Exists = false;
                Spec = null;
                Artifact = null;
                Failure = null;
                break;
        }

        return this;
    }
}
