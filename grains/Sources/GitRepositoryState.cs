using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;

namespace Granary.Grains.Sources;

/// <summary>A GitRepository's state: the fold of its events.</summary>
public sealed class GitRepositoryState
{
    /// <summary>Whether the resource exists (applied and not deleted).</summary>
    public bool Exists { get; set; }

    /// <summary>How many spec changes were applied.</summary>
    public long Generation { get; set; }

    /// <summary>The desired state.</summary>
    public GitRepositorySpec? Spec { get; set; }

    /// <summary>Labels from the resource's metadata.</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Whether fetching is suspended.</summary>
    public bool Suspended { get; set; }

    /// <summary>The latest stored artifact.</summary>
    public SourceArtifact? Artifact { get; set; }

    /// <summary>The commit of the latest artifact.</summary>
    public string? Commit { get; set; }

    /// <summary>The generation the last completed fetch saw.</summary>
    public long ObservedGeneration { get; set; }

    /// <summary>The fingerprint of the inputs besides the commit that built the latest artifact (a change rebuilds it).</summary>
    public string? ObservedInputs { get; set; }

    /// <summary>The failure of the last fetch, if it failed.</summary>
    public FetchFailed? Failure { get; set; }

    /// <summary>When the Ready condition last changed.</summary>
    public DateTimeOffset ReadySince { get; set; }

    /// <summary>Grains told about new artifacts.</summary>
    public List<GrainId> Subscribers { get; set; } = [];

    /// <summary>Folds one event.</summary>
    public GitRepositoryState Apply(object @event)
    {
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
            case Granary.Contracts.Events.Suspended:
                Suspended = true;
                break;
            case Granary.Contracts.Events.Resumed:
                Suspended = false;
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
