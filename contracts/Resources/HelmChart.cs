using System.Text.Json;

namespace Granary.Contracts.Resources;

/// <summary>A Helm chart pulled from a source (<c>source.toolkit.fluxcd.io/v1</c>, kind <c>HelmChart</c>), stored as an artifact for HelmReleases' <c>chartRef</c>.</summary>
public sealed record HelmChart : ResourceDocument
{
    /// <summary>The API version Granary reads.</summary>
    public const string Version = "source.toolkit.fluxcd.io/v1";

    /// <summary>Which chart, which version, from where, and how often to look.</summary>
    public required HelmChartSpec Spec { get; init; }
}

/// <summary>The desired state of a HelmChart, with Flux's field names.</summary>
public sealed record HelmChartSpec
{
    /// <summary>The chart's name in a HelmRepository, or its path in a GitRepository.</summary>
    public required string Chart { get; init; }

    /// <summary>A SemVer constraint as Helm writes it (default <c>*</c>: the newest release); ignored for a GitRepository unless it excludes the chart's version.</summary>
    public string? Version { get; init; }

    /// <summary>The HelmRepository or GitRepository holding the chart, in the HelmChart's namespace.</summary>
    public required LocalHelmChartSourceReference SourceRef { get; init; }

    /// <summary>How often to check the source for a new chart.</summary>
    public required GoDuration Interval { get; init; }

    /// <summary><c>ChartVersion</c> (default: a new version is a new artifact) or <c>Revision</c> (a new source revision is, for a GitRepository).</summary>
    public string? ReconcileStrategy { get; init; }

    /// <summary>Values files inside the chart, merged in order by the HelmReleases that use it.</summary>
    public List<string>? ValuesFiles { get; init; }

    /// <summary>Skip a missing values file instead of failing.</summary>
    public bool IgnoreMissingValuesFiles { get; init; }

    /// <summary>Stop checking.</summary>
    public bool Suspend { get; init; }

    /// <summary>Signature verification (refused: not supported yet).</summary>
    public JsonElement? Verify { get; init; }

    /// <summary>Cross-namespace access (provisional in Flux, not implemented there either; accepted and ignored).</summary>
    public JsonElement? AccessFrom { get; init; }
}

/// <summary>A HelmChart's source: kind and name in the HelmChart's namespace.</summary>
public sealed record LocalHelmChartSourceReference
{
    /// <summary>The API version (optional).</summary>
    public string? ApiVersion { get; init; }

    /// <summary><c>HelmRepository</c> or <c>GitRepository</c> (<c>Bucket</c> is not supported).</summary>
    public required string Kind { get; init; }

    /// <summary>The source's name.</summary>
    public required string Name { get; init; }
}
