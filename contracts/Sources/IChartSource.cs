using Granary.Contracts.Grains;

namespace Granary.Contracts.Sources;

/// <summary>A source whose artifact is a packaged Helm chart (HelmChart, OCIRepository): what a HelmRelease's <c>chartRef</c> names.</summary>
public interface IChartSource : IGrain
{
    /// <summary>Registers a consumer to be told about new artifacts (idempotent).</summary>
    Task<SourceArtifact?> SubscribeAsync(GrainId subscriber);

    /// <summary>Someone asked for a fetch now; recorded with the actor.</summary>
    Task<SourceStatus> RequestReconcileAsync();

    /// <summary>The status and, when there is an artifact, the chart it holds and the values files to merge.</summary>
    /// <exception cref="HelmChartException">The artifact is not a Helm chart, or is missing from the blob store.</exception>
    Task<ChartSourceArtifact> GetChartAsync();
}

/// <summary>A chart source's status and chart; <see cref="ValuesFiles"/> are files inside the chart that consumers merge in order.</summary>
public sealed record ChartSourceArtifact(SourceStatus Status, HelmChartArtifact? Chart, IReadOnlyList<string> ValuesFiles, bool IgnoreMissingValuesFiles);
