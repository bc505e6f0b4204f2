using System.Security.Cryptography;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.EventStore.Blobs;
using Granary.Grains.Resources;
using Granary.Grains.Secrets;
using Granary.Grains.Versions;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sources.Helm;

/// <summary>
/// A HelmRepository. A classic repository's timer fetches <c>index.yaml</c>; an unchanged index appends nothing, a new one
/// is stored in the blob store (revision = its digest, as Flux), recorded, and announced to subscribers. Charts are
/// resolved against the index (or, for <c>type: oci</c>, the registry's tag list), downloaded, verified and stored.
/// </summary>
public sealed class HelmRepositoryGrain(HelmRepositoryClient client, ISecretReader secrets) : ResourceGrain<HelmRepositoryState>, IHelmRepositoryGrain
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private HelmIndex? _index;
    private string? _indexDigest;

    /// <inheritdoc />
    protected override HelmRepositoryState Apply(HelmRepositoryState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    protected override string KindName => "HelmRepository";

    /// <inheritdoc />
    protected override TimeSpan? ReconcilePeriod => State.Spec is null ? null : Interval(State.Spec);

    /// <inheritdoc />
    protected override bool IsSuspended => State.Suspended || State.Spec?.Suspend == true;

    private TimeSpan Timeout => State.Spec?.Timeout?.Value ?? DefaultTimeout;

    private string Display => $"HelmRepository {Key} ({HelmRepositoryClient.Redacted(State.Spec?.Url ?? string.Empty)})";

    /// <inheritdoc />
    public async Task<SourceStatus> ApplyAsync(HelmRepository resource)
    {
        await DeclareAsync(resource);
        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public async Task<long> DeclareAsync(HelmRepository resource)
    {
        if (resource.Key != Key)
        {
            throw new ArgumentException($"HelmRepository {resource.Key} was sent to grain {Key}; apply each resource to the grain of its own namespace/name.");
        }

        if (SpecChanged(State.Spec, resource.Spec, resource.Metadata.Labels))
        {
            await RaiseAsync(new HelmRepositorySpecApplied(State.Generation + 1, resource.Spec, resource.Metadata.Labels));
            await KeepAliveAsync(Interval(resource.Spec));
            Schedule(TimeSpan.Zero);
        }

        return State.Generation;
    }

    /// <inheritdoc />
    public async Task<SourceStatus> ReconcileAsync()
    {
        await ReconcileOnceAsync(CancellationToken.None);
        return Status();
    }

    /// <inheritdoc />
    public async Task<SourceStatus> RequestReconcileAsync()
    {
        await RecordReconcileRequestAsync(withSource: false);
        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public async Task DeleteAsync()
    {
        if (!State.Exists)
        {
            return;
        }

        await RecordDeletedAsync();
    }

    /// <inheritdoc />
    public async Task<SourceArtifact?> SubscribeAsync(GrainId subscriber)
    {
        if (!State.Subscribers.Contains(subscriber))
        {
            await RaiseAsync(new HelmRepositorySubscriberAdded(subscriber.Kind, subscriber.Key));
        }

        return State.Artifact;
    }

    /// <inheritdoc />
    public Task<SourceStatus> GetStatusAsync() => Task.FromResult(Status());

    /// <inheritdoc />
    public async Task<HelmChartArtifact> GetChartAsync(string chart, string? versionConstraint)
    {
        if (!State.Exists || State.Spec is not { } spec)
        {
            throw new HelmChartException("SourceNotFound", $"HelmRepository {Key} does not exist; apply it first");
        }

        if (string.IsNullOrWhiteSpace(chart) || chart.Contains("..", StringComparison.Ordinal) || chart.Contains('/', StringComparison.Ordinal))
        {
            throw new HelmChartException("InvalidChartReference", $"spec.chart.spec.chart '{chart}' is not a chart name; give the name as listed by the repository, e.g. podinfo");
        }

        var credentials = await CredentialsAsync(spec, CancellationToken.None);
        return State.IsOci
            ? await GetOciChartAsync(spec, chart, versionConstraint, credentials)
            : await GetIndexedChartAsync(spec, chart, versionConstraint, credentials);
    }

    /// <summary>One pass: fetch the index; store and announce it when it changed. An OCI repository only checks its URL.</summary>
    protected override async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        if (!State.Exists || State.Spec is not { } spec || IsSuspended)
        {
            return;
        }

        var generation = State.Generation;
        try
        {
            if (State.IsOci)
            {
                _ = OciChartReference.Of(spec.Url, "chart", spec.Insecure);
                if (!State.Checked || State.Failure is not null || State.ObservedGeneration != generation)
                {
                    await RaiseAsync(new HelmIndexFetched(generation, "oci", null, 0, DateTimeOffset.UtcNow));
                }

                return;
            }

            ValidateUrl(spec);
            var credentials = await CredentialsAsync(spec, cancellationToken);
            var bytes = await client.GetIndexAsync(spec.Url, credentials, Timeout, cancellationToken);
            var digest = BlobStore.DigestOf(bytes);
            if (State.Artifact?.Digest == digest)
            {
                if (State.Failure is not null || State.ObservedGeneration != generation)
                {
                    await RaiseAsync(new HelmIndexFetchSucceeded(generation, DateTimeOffset.UtcNow));
                }

                return;
            }

            var index = HelmIndex.Parse(bytes, Display);
            await Blobs.PutAsync(bytes, cancellationToken);
            (_index, _indexDigest) = (index, digest);
            await RaiseAsync(new HelmIndexFetched(generation, digest, digest, bytes.Length, DateTimeOffset.UtcNow));
            Logger.LogInformation("HelmRepository {Resource} stored index {Digest}", Key, digest);
            foreach (var subscriber in State.Subscribers)
            {
                await GrainFactory.Get<ISourceSubscriber>(subscriber).SourceChangedAsync(GrainId, State.Artifact!);
            }
        }
        catch (Exception exception) when (exception is HelmChartException or SecretReferenceException or ArgumentException)
        {
            var reason = exception switch
            {
                HelmChartException helm => helm.Reason == "NotFound" ? "IndexationFailed" : helm.Reason,
                SecretReferenceException => "AuthenticationFailed",
                _ => "InvalidSpec",
            };
            var message = $"{Display}: {exception.Message}";
            Logger.LogWarning("HelmRepository {Resource} fetch failed: {Reason}: {Message}", Key, reason, message);
            if (State.Failure is not { } last || last.Reason != reason || last.Message != message || State.ObservedGeneration != generation)
            {
                await RaiseAsync(new HelmIndexFetchFailed(generation, reason, message, DateTimeOffset.UtcNow));
            }
        }
    }

    private async Task<HelmChartArtifact> GetIndexedChartAsync(HelmRepositorySpec spec, string chart, string? constraint, HelmRepositoryCredentials? credentials)
    {
        var index = await IndexAsync();
        var versions = index.Versions(chart)
            ?? throw new HelmChartException("ChartNotFound", $"chart '{chart}' is not in the index of {Display}; it lists {Listing(index.Charts)}; check spec.chart.spec.chart");
        var entry = ChartVersionResolver.Resolve(chart, constraint, versions, e => e.Version, Display);
        var version = entry.Version.Original;
        var recorded = State.Charts.GetValueOrDefault($"{chart}@{version}");
        if (entry.Digest is { } listed && recorded?.Digest == "sha256:" + listed.ToLowerInvariant())
        {
            return new HelmChartArtifact(chart, version, recorded.AppVersion, recorded.Digest, recorded.Size); // pulled and verified before
        }

        if (entry.Digest is { } indexed && await Blobs.ExistsAsync("sha256:" + indexed.ToLowerInvariant()))
        {
            return await RecordAsync(chart, version, entry.AppVersion, "sha256:" + indexed.ToLowerInvariant(), null);
        }

        if (entry.Digest is null && State.Charts.GetValueOrDefault($"{chart}@{version}") is { } known && await Blobs.ExistsAsync(known.Digest))
        {
            return new HelmChartArtifact(chart, version, known.AppVersion, known.Digest, known.Size);
        }

        var url = entry.Urls.FirstOrDefault()
            ?? throw new HelmChartException("ChartPullError", $"chart '{chart}' {version} in {Display} has no download URL in the index; regenerate the index");
        var bytes = await client.GetChartAsync(spec.Url, url, credentials, spec.PassCredentials, Timeout, CancellationToken.None);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (entry.Digest is { } expected && !expected.Equals(actual, StringComparison.OrdinalIgnoreCase))
        {
            throw new HelmChartException("DigestMismatch", $"chart '{chart}' {version} from {Display} has digest sha256:{actual} but the index says sha256:{expected}; the repository served different content, refusing it");
        }

        return await RecordAsync(chart, version, entry.AppVersion, await Blobs.PutAsync(bytes), bytes.Length);
    }

    private async Task<HelmChartArtifact> GetOciChartAsync(HelmRepositorySpec spec, string chart, string? constraint, HelmRepositoryCredentials? credentials)
    {
        OciChartReference reference;
        try
        {
            reference = OciChartReference.Of(spec.Url, chart, spec.Insecure);
        }
        catch (ArgumentException exception)
        {
            throw new HelmChartException("InvalidSpec", $"{Display}: {exception.Message}");
        }

        var tags = await client.GetTagsAsync(reference, credentials, Timeout, CancellationToken.None);

        // Helm stores "+" of build metadata as "_" in tags, which do not allow "+".
        var versions = tags.Select(t => (Tag: t, Ok: SemVer.TryParse(t.Replace('_', '+'), out var v), Version: v)).Where(t => t.Ok).ToList();
        if (versions.Count == 0)
        {
            throw new HelmChartException("ChartNotFound", $"chart '{chart}' has no SemVer tags at {reference.Display("tags/list")}; check spec.chart.spec.chart and the registry path");
        }

        var picked = ChartVersionResolver.Resolve(chart, constraint, versions, t => t.Version, reference.Display(string.Empty));
        if (State.Charts.GetValueOrDefault($"{chart}@{picked.Version.Original}") is { } known && await Blobs.ExistsAsync(known.Digest))
        {
            return new HelmChartArtifact(chart, known.Version, known.AppVersion, known.Digest, known.Size);
        }

        var (bytes, appVersion) = await client.GetOciChartAsync(reference, picked.Tag, credentials, Timeout, CancellationToken.None);
        return await RecordAsync(chart, picked.Version.Original, appVersion, await Blobs.PutAsync(bytes), bytes.Length);
    }

    /// <summary>Records the first download of a chart version (a change: a new artifact in the blob store); later calls append nothing.</summary>
    private async Task<HelmChartArtifact> RecordAsync(string chart, string version, string? appVersion, string digest, long? size)
    {
        if (State.Charts.GetValueOrDefault($"{chart}@{version}") is { } known && known.Digest == digest)
        {
            return new HelmChartArtifact(chart, version, known.AppVersion, digest, known.Size);
        }

        var length = size ?? (await Blobs.GetAsync(digest))?.LongLength ?? 0;
        await RaiseAsync(new HelmChartPulled(chart, version, appVersion, digest, length, DateTimeOffset.UtcNow));
        Logger.LogInformation("HelmRepository {Resource} stored chart {Chart} {Version} ({Digest})", Key, chart, version, digest);
        return new HelmChartArtifact(chart, version, appVersion, digest, length);
    }

    /// <summary>The parsed index: kept in memory, loaded from the blob store after a restart, fetched when there is none yet.</summary>
    private async Task<HelmIndex> IndexAsync()
    {
        if (State.Artifact is null)
        {
            await ReconcileOnceAsync(CancellationToken.None);
        }

        if (State.Artifact is not { } artifact)
        {
            var why = State.Failure?.Message ?? (IsSuspended ? $"{Display} is suspended and has no index yet" : $"{Display} has no index yet");
            throw new HelmChartException(State.Failure?.Reason ?? "ArtifactFailed", why);
        }

        if (_index is not null && _indexDigest == artifact.Digest)
        {
            return _index;
        }

        var bytes = await Blobs.GetAsync(artifact.Digest)
            ?? throw new HelmChartException("ArtifactFailed", $"the index {artifact.Digest} of {Display} is missing from the blob store; request a reconcile");
        (_index, _indexDigest) = (HelmIndex.Parse(bytes, Display), artifact.Digest);
        return _index;
    }

    private async Task<HelmRepositoryCredentials?> CredentialsAsync(HelmRepositorySpec spec, CancellationToken cancellationToken)
    {
        if (spec.SecretRef is not { } reference)
        {
            return null;
        }

        var data = await secrets.ReadAsync(Namespace, reference.Name, cancellationToken)
            ?? throw new SecretReferenceException($"spec.secretRef: Secret {Namespace}/{reference.Name} does not exist; create it with keys username and password");
        return HelmRepositoryCredentials.FromSecretData(data)
            ?? throw new SecretReferenceException($"spec.secretRef: Secret {Namespace}/{reference.Name} lacks username or password; add both keys");
    }

    private static void ValidateUrl(HelmRepositorySpec spec)
    {
        if (spec.Type is not (null or "" or "default"))
        {
            throw new ArgumentException($"spec.type '{spec.Type}' is not supported; use default (an HTTP index) or oci");
        }

        if (!Uri.TryCreate(spec.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException("spec.url must be an http(s) URL of a Helm repository (for oci:// set spec.type: oci)");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw new ArgumentException("spec.url must not carry credentials; put them in a Secret with username and password and set spec.secretRef");
        }
    }

    private static TimeSpan Interval(HelmRepositorySpec spec) => spec.Interval?.Value ?? DefaultInterval;

    private static string Listing(IEnumerable<string> charts)
    {
        var list = charts.Take(10).ToList();
        return list.Count == 0 ? "no charts" : string.Join(", ", list);
    }

    private SourceStatus Status() => StatusOf(State);

    /// <summary>The status of <paramref name="state"/>, as the grain reports it (the API folds the same from the log).</summary>
    public static SourceStatus StatusOf(HelmRepositoryState state)
    {
        if (!state.Exists)
        {
            return new SourceStatus(false, state.Generation, state.ObservedGeneration, false, [], null);
        }

        var conditions = new List<Condition>();
        var since = state.ReadySince;
        if (state.Failure is { } failure)
        {
            conditions.Add(new Condition("Ready", "False", failure.Reason, failure.Message, state.ObservedGeneration, since));
            conditions.Add(failure.Reason is "InvalidSpec"
                ? new Condition("Stalled", "True", failure.Reason, failure.Message, state.ObservedGeneration, since)
                : new Condition("Reconciling", "True", "ProgressingWithRetry", $"retrying every {Interval(state.Spec!)}", state.ObservedGeneration, since));
        }
        else if (state.Artifact is { } artifact)
        {
            conditions.Add(new Condition("Ready", "True", "Succeeded", $"stored artifact: revision '{artifact.Revision}'", state.ObservedGeneration, since));
        }
        else if (state.IsOci && state.Checked)
        {
            conditions.Add(new Condition("Ready", "True", "Succeeded", "Helm repository is ready", state.ObservedGeneration, since));
        }
        else
        {
            conditions.Add(new Condition("Ready", "Unknown", "Progressing", "fetching the index", state.Generation, since));
            conditions.Add(new Condition("Reconciling", "True", "Progressing", "fetching the index", state.Generation, since));
        }

        return new SourceStatus(true, state.Generation, state.ObservedGeneration, (state.Suspended || state.Spec?.Suspend == true), conditions, state.Artifact);
    }
}
