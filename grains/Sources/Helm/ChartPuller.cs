using Granary.Contracts.Grains;
using Granary.Contracts.Sources;
using Granary.EventStore.Blobs;
using Granary.Grains.Releases;
using Granary.Grains.Versions;

namespace Granary.Grains.Sources.Helm;

/// <summary>What to pull: a chart (a name in a HelmRepository, a path in a GitRepository), a version constraint, its source.</summary>
/// <param name="Chart">The chart's name or path.</param>
/// <param name="Version">A SemVer constraint (null or empty: the newest release).</param>
/// <param name="SourceKind"><c>HelmRepository</c> or <c>GitRepository</c>.</param>
/// <param name="SourceKey">The source's <c>namespace/name</c>.</param>
/// <param name="ReconcileStrategy"><c>ChartVersion</c> (default) or <c>Revision</c> (a Git chart's version gets the commit appended).</param>
/// <param name="Fields">Where these fields live in the asking resource, e.g. <c>spec.chart.spec.</c> or <c>spec.</c>, for messages.</param>
public sealed record ChartRequest(string Chart, string? Version, string SourceKind, string SourceKey, string? ReconcileStrategy, string Fields);

/// <summary>A pulled chart and the source revision it came from.</summary>
public sealed record PulledChart(HelmChartArtifact Chart, string? SourceRevision);

/// <summary>
/// Pulls a chart from its source for one consumer (a HelmRelease's <c>chart.spec</c>, or a HelmChart): a HelmRepository resolves
/// and verifies it; a GitRepository's artifact is packed deterministically. The consumer is subscribed to the source once, so a
/// new index or commit reconciles it. Every chart ends in the blob store, by digest.
/// </summary>
public sealed class ChartPuller(IGrainFactory grains, BlobStore blobs, GrainId consumer)
{
    private const string HelmReleaseFields = "spec.chart.spec.";
    private string? _subscribedTo;

    /// <summary>Pulls the chart of <paramref name="request"/>.</summary>
    /// <exception cref="HelmChartException">The source is missing or failing, or the chart or a matching version is not there.</exception>
    public async Task<PulledChart> PullAsync(ChartRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return request.SourceKind == "GitRepository"
                ? await PullFromGitAsync(request, cancellationToken)
                : await PullFromHelmRepositoryAsync(request);
        }
        catch (HelmChartException exception) when (request.Fields != HelmReleaseFields)
        {
            // The sources name the fields as a HelmRelease's chart template has them; say where they are in this resource.
            throw new HelmChartException(exception.Reason, exception.Message.Replace(HelmReleaseFields, request.Fields, StringComparison.Ordinal));
        }
    }

    private async Task<PulledChart> PullFromHelmRepositoryAsync(ChartRequest request)
    {
        var repository = grains.Get<IHelmRepositoryGrain>(request.SourceKey);
        await SubscribeOnceAsync("HelmRepository", request.SourceKey, () => repository.SubscribeAsync(consumer));
        var chart = await repository.GetChartAsync(request.Chart, request.Version);
        return new PulledChart(chart, (await repository.GetStatusAsync()).Artifact?.Revision);
    }

    /// <summary>Packs the chart directory of the GitRepository's artifact; strategy Revision appends the commit to the version, as Flux does.</summary>
    private async Task<PulledChart> PullFromGitAsync(ChartRequest request, CancellationToken cancellationToken)
    {
        var key = request.SourceKey;
        var source = grains.Get<IGitRepositoryGrain>(key);
        await SubscribeOnceAsync("GitRepository", key, () => source.SubscribeAsync(consumer));
        var status = await source.GetStatusAsync();
        if (status.Artifact is not { } artifact)
        {
            throw new HelmChartException("ArtifactFailed", status.Exists
                ? $"GitRepository {key} has no artifact: {status.Conditions.FirstOrDefault(c => c.Type == "Ready")?.Message ?? "not fetched yet"}"
                : $"GitRepository {key} does not exist; apply it first");
        }

        var bytes = await blobs.GetAsync(artifact.Digest, cancellationToken)
            ?? throw new HelmChartException("ArtifactFailed", $"the artifact {artifact.Digest} of GitRepository {key} is missing from the blob store; request a reconcile with the source");
        var packed = await GitChartPackager.PackAsync(bytes, request.Chart, cancellationToken);
        var commit = artifact.Revision[(artifact.Revision.LastIndexOf(':') + 1)..];
        var version = request.ReconcileStrategy == "Revision" ? $"{packed.Version}+{commit[..Math.Min(12, commit.Length)]}" : packed.Version;
        if (request.Version is { Length: > 0 } constraint && constraint != "*")
        {
            _ = ChartVersionResolver.Resolve(packed.Name, constraint, [SemVer.Parse(packed.Version)], v => v, $"GitRepository {key} at '{request.Chart}'");
        }

        var digest = await blobs.PutAsync(packed.Archive, cancellationToken);
        return new PulledChart(new HelmChartArtifact(packed.Name, version, packed.AppVersion, digest, packed.Archive.Length), artifact.Revision);
    }

    private async Task SubscribeOnceAsync(string kind, string key, Func<Task<SourceArtifact?>> subscribe)
    {
        if (_subscribedTo != $"{kind}/{key}")
        {
            await subscribe();
            _subscribedTo = $"{kind}/{key}";
        }
    }
}
