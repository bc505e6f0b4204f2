using Granary.Contracts.Grains;
using Granary.Contracts.Resources;

namespace Granary.Contracts.Sources;

/// <summary>A HelmChart: pulls its chart from a HelmRepository or GitRepository, stores it as an artifact, tells subscribers about new ones. Key: <c>namespace/name</c>.</summary>
[GrainKind("helmchart")]
public interface IHelmChartGrain : IChartSource, ISourceSubscriber
{
    /// <summary>Creates or changes the resource; a changed spec is recorded and reconciled at once.</summary>
    Task<SourceStatus> ApplyAsync(HelmChart resource);

    /// <summary>Records the resource when it changed and reconciles on its own turn (not within this call); returns its generation.</summary>
    Task<long> DeclareAsync(HelmChart resource);

    /// <summary>Pulls now (no-op while suspended) and returns the status afterwards.</summary>
    Task<SourceStatus> ReconcileAsync();

    /// <summary>Stops pulling, recording the actor and reason.</summary>
    Task SuspendAsync(string? reason);

    /// <summary>Starts pulling again.</summary>
    Task ResumeAsync();

    /// <summary>Deletes the resource.</summary>
    Task DeleteAsync();

    /// <summary>The current status, as Flux's <c>status</c> would show it.</summary>
    [ReadOnly]
    Task<SourceStatus> GetStatusAsync();
}
