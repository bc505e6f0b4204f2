using Granary.Contracts.Grains;
using Granary.Contracts.Resources;

namespace Granary.Contracts.Sources;

/// <summary>An OCIRepository: checks its registry on an interval, stores the selected layer of a new artifact, tells subscribers. Key: <c>namespace/name</c>.</summary>
[GrainKind("ocirepository")]
public interface IOCIRepositoryGrain : IChartSource
{
    /// <summary>Creates or changes the resource; a changed spec is recorded and reconciled at once.</summary>
    Task<SourceStatus> ApplyAsync(OCIRepository resource);

    /// <summary>Records the resource when it changed and reconciles on its own turn (not within this call); returns its generation.</summary>
    Task<long> DeclareAsync(OCIRepository resource);

    /// <summary>Checks the registry now (no-op while suspended) and returns the status afterwards.</summary>
    Task<SourceStatus> ReconcileAsync();

    /// <summary>Stops checking, recording the actor and reason.</summary>
    Task SuspendAsync(string? reason);

    /// <summary>Starts checking again.</summary>
    Task ResumeAsync();

    /// <summary>Deletes the resource.</summary>
    Task DeleteAsync();

    /// <summary>The current status, as Flux's <c>status</c> would show it.</summary>
    [ReadOnly]
    Task<SourceStatus> GetStatusAsync();
}
