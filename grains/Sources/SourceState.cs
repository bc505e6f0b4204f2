using Granary.Contracts.Grains;
using Granary.Contracts.Sources;
using Granary.Grains.Resources;

namespace Granary.Grains.Sources;

/// <summary>What a source's state has besides its spec: the latest artifact, the last failure, the subscribers — and how its events move them.</summary>
public abstract class SourceState : ResourceState
{
    /// <summary>The latest stored artifact.</summary>
    public SourceArtifact? Artifact { get; set; }

    /// <summary>The failure of the last pass, if it failed.</summary>
    public SourceFailure? Failure { get; set; }

    /// <summary>Grains told about new artifacts.</summary>
    public List<GrainId> Subscribers { get; set; } = [];

    /// <summary>A new artifact was stored at <paramref name="generation"/>: Ready from now.</summary>
    protected void Stored(long generation, SourceArtifact artifact)
    {
        Artifact = artifact;
        ObservedGeneration = generation;
        Failure = null;
        ReadySince = artifact.FetchedAt;
    }

    /// <summary>A pass succeeded without a new artifact; a cleared failure restarts the Ready clock.</summary>
    protected void Succeeded(long generation, DateTimeOffset at)
    {
        ObservedGeneration = generation;
        if (Failure is not null)
        {
            ReadySince = at;
        }

        Failure = null;
    }

    /// <summary>A pass failed; the first failure after a success restarts the Ready clock.</summary>
    protected void Failed(long generation, string reason, string message, DateTimeOffset at)
    {
        ObservedGeneration = generation;
        if (Failure is null)
        {
            ReadySince = at;
        }

        Failure = new SourceFailure(reason, message);
    }

    /// <summary>The resource was deleted.</summary>
    protected void Gone()
    {
        Exists = false;
        Artifact = null;
        Failure = null;
    }
}

/// <summary>Why a source's last pass failed (a Flux reason) and what to do, as recorded.</summary>
public sealed record SourceFailure(string Reason, string Message);
