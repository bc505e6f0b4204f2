using Granary.Contracts.Grains;
using Granary.Contracts.Resources;

namespace Granary.Contracts.Sources;

/// <summary>A HelmRepository: fetches its index on an interval, resolves and downloads charts, tells subscribers about new indexes. Key: <c>namespace/name</c>.</summary>
[GrainKind("helmrepository")]
public interface IHelmRepositoryGrain : IGrain
{
    /// <summary>Creates or changes the resource; a changed spec is recorded and reconciled at once.</summary>
    Task<SourceStatus> ApplyAsync(HelmRepository resource);

    /// <summary>Records the resource when it changed and reconciles on its own turn (not within this call); returns its generation.</summary>
    Task<long> DeclareAsync(HelmRepository resource);

    /// <summary>Fetches the index now (no-op while suspended) and returns the status afterwards.</summary>
    Task<SourceStatus> ReconcileAsync();

    /// <summary>Someone asked for a fetch now; recorded with the actor.</summary>
    Task<SourceStatus> RequestReconcileAsync();

    /// <summary>Stops fetching, recording the actor and reason.</summary>
    Task SuspendAsync(string? reason);

    /// <summary>Starts fetching again.</summary>
    Task ResumeAsync();

    /// <summary>Deletes the resource.</summary>
    Task DeleteAsync();

    /// <summary>Registers a consumer to be told about new indexes (idempotent).</summary>
    Task<SourceArtifact?> SubscribeAsync(GrainId subscriber);

    /// <summary>
    /// Resolves <paramref name="chart"/> at the highest version matching <paramref name="versionConstraint"/> (Helm's SemVer
    /// constraints; null or empty means the newest release), downloads and verifies it, and keeps it in the blob store.
    /// </summary>
    /// <exception cref="HelmChartException">The chart or a matching version is missing, the digest does not match, or the repository is unreachable.</exception>
    Task<HelmChartArtifact> GetChartAsync(string chart, string? versionConstraint);

    /// <summary>The current status, as Flux's <c>status</c> would show it.</summary>
    [ReadOnly]
    Task<SourceStatus> GetStatusAsync();
}

/// <summary>A downloaded chart: name, resolved version, app version, and the tarball's digest in the blob store.</summary>
public sealed record HelmChartArtifact(string Chart, string Version, string? AppVersion, string Digest, long Size);

/// <summary>A chart could not be resolved or downloaded; <see cref="Reason"/> is a Flux-style reason. Never carries credentials.</summary>
public sealed class HelmChartException(string reason, string message) : Exception(message)
{
    /// <summary>Why, e.g. <c>ChartNotFound</c>, <c>NoMatchingVersion</c>, <c>DigestMismatch</c>, <c>RepositoryUnreachable</c>.</summary>
    public string Reason { get; } = reason;
}
