using Granary.Contracts.Grains;
using Granary.Contracts.Resources;

namespace Granary.Contracts.Sources;

/// <summary>A GitRepository: fetches its repository on an interval and tells subscribers about new artifacts (it subscribes to the repositories it includes). Key: <c>namespace/name</c>.</summary>
[GrainKind("gitrepository")]
public interface IGitRepositoryGrain : ISourceSubscriber
{
    /// <summary>Creates or changes the resource; a changed spec is recorded and reconciled at once.</summary>
    Task<SourceStatus> ApplyAsync(GitRepository resource);

    /// <summary>Records the resource when it changed and reconciles on its own turn (not within this call); returns its generation.</summary>
    Task<long> DeclareAsync(GitRepository resource);

    /// <summary>Fetches now (no-op while suspended) and returns the status afterwards.</summary>
    Task<SourceStatus> ReconcileAsync();

    /// <summary>Someone asked for a fetch now; recorded with the actor.</summary>
    Task<SourceStatus> RequestReconcileAsync();

    /// <summary>Stops fetching, recording the actor and reason.</summary>
    Task SuspendAsync(string? reason);

    /// <summary>Starts fetching again.</summary>
    Task ResumeAsync();

    /// <summary>Deletes the resource: no more fetches, status gone.</summary>
    Task DeleteAsync();

    /// <summary>Registers a consumer to be told about new artifacts (idempotent).</summary>
    Task<SourceArtifact?> SubscribeAsync(GrainId subscriber);

    /// <summary>The current status, as Flux's <c>status</c> would show it.</summary>
    [ReadOnly]
    Task<SourceStatus> GetStatusAsync();
}

/// <summary>A source's status: conditions, the artifact, the generation observed.</summary>
public sealed record SourceStatus(
    bool Exists,
    long Generation,
    long ObservedGeneration,
    bool Suspended,
    IReadOnlyList<Resources.Condition> Conditions,
    SourceArtifact? Artifact)
{
    /// <summary>Whether the Ready condition is True.</summary>
    public bool IsReady => Conditions.Any(c => c.Type == "Ready" && c.Status == "True");
}
