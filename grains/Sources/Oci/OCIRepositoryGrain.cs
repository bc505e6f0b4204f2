using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Releases;
using Granary.Grains.Secrets;
using Granary.Grains.Sources.Helm;
using Granary.Grains.Versions;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sources.Oci;

/// <summary>
/// An OCIRepository. Its timer resolves <c>spec.ref</c> (digest, semver range over the tags, or tag) to a manifest at
/// <c>spec.interval</c>; an unchanged revision (<c>tag@sha256:&lt;manifest digest&gt;</c>) costs one manifest request and appends
/// nothing. A new one has its selected layer downloaded, digest-checked, kept in the blob store, recorded and announced to
/// subscribers. A Helm chart layer makes the artifact a chart for HelmReleases' <c>chartRef</c>.
/// </summary>
public sealed class OCIRepositoryGrain(HelmRepositoryClient client, ISecretReader secrets) : SourceGrain<OCIRepositoryState, OCIRepository>, IOCIRepositoryGrain
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private (string Digest, HelmChartArtifact Chart)? _chart;

    /// <inheritdoc />
    protected override OCIRepositoryState Apply(OCIRepositoryState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    protected override string KindName => "OCIRepository";

    /// <inheritdoc />
    protected override TimeSpan? ReconcilePeriod => State.Spec?.Interval.Value;

    /// <inheritdoc />
    protected override bool IsSuspended => State.Suspended || State.Spec?.Suspend == true;

    /// <inheritdoc />
    protected override object? AppliedSpec => State.Spec;

    private TimeSpan Timeout => State.Spec?.Timeout?.Value ?? DefaultTimeout;

    private string Display => $"OCIRepository {Key} ({HelmRepositoryClient.Redacted(State.Spec?.Url ?? string.Empty)})";

    /// <inheritdoc />
    protected override (object Spec, TimeSpan Interval) SpecOf(OCIRepository resource) => (resource.Spec, resource.Spec.Interval.Value);

    /// <inheritdoc />
    protected override object SpecApplied(long generation, OCIRepository resource) => new OCIRepositorySpecApplied(generation, resource.Spec, resource.Metadata.Labels);

    /// <inheritdoc />
    protected override object SubscriberAdded(GrainId subscriber) => new OCIRepositorySubscriberAdded(subscriber.Kind, subscriber.Key);

    /// <inheritdoc />
    protected override object PassFailed(long generation, string reason, string message, DateTimeOffset at) => new OCIArtifactPullFailed(generation, reason, message, at);

    /// <summary>The status and, when the artifact is a Helm chart, what its Chart.yaml says (read once per artifact).</summary>
    public async Task<ChartSourceArtifact> GetChartAsync()
    {
        if (State.Exists && State.Artifact is null && State.Failure is null)
        {
            await ReconcileOnceAsync(CancellationToken.None); // asked before the first pull ran on its own turn
        }

        if (State.Artifact is not { } artifact)
        {
            return new ChartSourceArtifact(Status(), null, [], false);
        }

        if (_chart is not { } known || known.Digest != artifact.Digest)
        {
            var bytes = await Blobs.GetAsync(artifact.Digest)
                ?? throw new HelmChartException("ArtifactFailed", $"the artifact {artifact.Digest} of {Display} is missing from the blob store; request a reconcile");
            try
            {
                var (name, version, appVersion) = await ChartArchive.ReadMetadataAsync(bytes, $"the artifact '{artifact.Revision}' of {Display}", CancellationToken.None);
                known = (artifact.Digest, new HelmChartArtifact(name, version, appVersion, artifact.Digest, artifact.Size));
            }
            catch (HelmChartException exception)
            {
                throw new HelmChartException(exception.Reason,
                    $"{exception.Message}; point spec.url at a Helm chart and set spec.layerSelector.mediaType: {HelmRepositoryClient.ChartLayerMediaType}");
            }

            _chart = known;
        }

        return new ChartSourceArtifact(Status(), known.Chart, [], false);
    }

    /// <summary>One pass: resolve the reference to a manifest; when its revision is new, store the selected layer and tell subscribers.</summary>
    protected override async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        if (!State.Exists || State.Spec is not { } spec || IsSuspended)
        {
            return;
        }

        var generation = State.Generation;
        try
        {
            var repository = Validate(spec);
            var credentials = await CredentialsAsync(spec, repository.Authority, cancellationToken);
            var (tag, reference) = await ResolveAsync(spec, repository, credentials, cancellationToken);
            var (manifest, manifestDigest) = await client.GetOciManifestAsync(repository, reference, credentials, Timeout, cancellationToken);
            var revision = tag is null ? manifestDigest : $"{tag}@{manifestDigest}";
            if (State.Artifact is { } current && current.Revision == revision && State.ObservedGeneration == generation && await Blobs.ExistsAsync(current.Digest, cancellationToken))
            {
                if (State.Failure is not null)
                {
                    await RaiseAsync(new OCIArtifactPullSucceeded(generation, DateTimeOffset.UtcNow));
                }

                return;
            }

            var layer = SelectLayer(manifest, spec.LayerSelector, repository.Display($"manifests/{reference}"));
            var mediaType = layer["mediaType"]?.GetValue<string>() ?? string.Empty;
            var bytes = await client.GetOciBlobAsync(repository, layer["digest"]?.GetValue<string>(), credentials, client.Limits.MaxLayerBytes, Timeout, cancellationToken);
            if (spec.LayerSelector?.Operation is null or "extract" && !(bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b))
            {
                throw new HelmChartException("OCILayerOperationFailed", $"the layer {mediaType} of {repository.Display(reference)} is not a gzipped tarball, so it cannot be extracted; set spec.layerSelector.operation: copy");
            }

            var digest = await Blobs.PutAsync(bytes, cancellationToken);
            if (State.Artifact is { } same && same.Revision == revision && same.Digest == digest)
            {
                await RaiseAsync(new OCIArtifactPullSucceeded(generation, DateTimeOffset.UtcNow));
                return;
            }

            await RaiseAsync(new OCIArtifactStored(generation, revision, digest, bytes.Length, mediaType, DateTimeOffset.UtcNow));
            Logger.LogInformation("OCIRepository {Resource} stored artifact for revision {Revision} ({Digest})", Key, revision, digest);
            await TellSubscribersAsync();
        }
        catch (Exception exception) when (exception is HelmChartException or SecretReferenceException or ArgumentException or FormatException)
        {
            var reason = exception switch
            {
                HelmChartException helm => helm.Reason == "NotFound" ? "OCIArtifactPullFailed" : helm.Reason,
                SecretReferenceException or FormatException => "AuthenticationFailed",
                _ => "InvalidSpec",
            };
            await RecordFailureAsync(generation, reason, exception.Message.Contains($"OCIRepository {Key}", StringComparison.Ordinal) ? exception.Message : $"{Display}: {exception.Message}");
        }
    }

    /// <summary>The repository of <c>spec.url</c>, after the checks the schema cannot make; each names the field and the fix.</summary>
    private static OciChartReference Validate(OCIRepositorySpec spec)
    {
        var unsupported = new (string Field, bool Set)[]
        {
            ("spec.verify", spec.Verify is { ValueKind: not System.Text.Json.JsonValueKind.Null }),
            ("spec.certSecretRef", spec.CertSecretRef is not null),
            ("spec.proxySecretRef", spec.ProxySecretRef is not null),
            ("spec.serviceAccountName", !string.IsNullOrEmpty(spec.ServiceAccountName)),
            ("spec.ignore", !string.IsNullOrEmpty(spec.Ignore)),
        }.FirstOrDefault(u => u.Set);
        if (unsupported.Field is { } field)
        {
            throw new ArgumentException($"{field} is not supported yet; remove it");
        }

        if (spec.Provider is not (null or "" or "generic"))
        {
            throw new ArgumentException($"spec.provider '{spec.Provider}' is not supported yet; use generic with spec.secretRef");
        }

        if (spec.LayerSelector?.Operation is not (null or "extract" or "copy"))
        {
            throw new ArgumentException($"spec.layerSelector.operation '{spec.LayerSelector!.Operation}' is not an operation; use extract or copy");
        }

        if (spec.Ref?.Digest is { Length: > 0 } digest && !Regex.IsMatch(digest, "^sha256:[0-9a-f]{64}$"))
        {
            throw new ArgumentException($"spec.ref.digest '{digest}' is not a digest; write sha256: followed by 64 hex digits");
        }

        return OciChartReference.OfRepository(spec.Url, spec.Insecure);
    }

    /// <summary>The tag (null for a digest) and the manifest reference: the digest wins over semver, semver over tag (default latest), as in Flux.</summary>
    private async Task<(string? Tag, string Reference)> ResolveAsync(OCIRepositorySpec spec, OciChartReference repository, HelmRepositoryCredentials? credentials,
        CancellationToken cancellationToken)
    {
        if (spec.Ref?.Digest is { Length: > 0 } digest)
        {
            return (null, digest);
        }

        if (spec.Ref?.Semver is not { Length: > 0 } semver)
        {
            return (spec.Ref?.Tag is { Length: > 0 } tag ? tag : "latest", spec.Ref?.Tag is { Length: > 0 } t ? t : "latest");
        }

        Regex? filter = null;
        if (spec.Ref.SemverFilter is { Length: > 0 } pattern)
        {
            try
            {
                filter = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException exception)
            {
                throw new ArgumentException($"spec.ref.semverFilter '{pattern}' is not a regular expression: {exception.Message}");
            }
        }

        var tags = await client.GetTagsAsync(repository, credentials, Timeout, cancellationToken);
        var versions = tags.Where(t => filter?.IsMatch(t) ?? true)
            .Select(t => (Tag: t, Ok: SemVer.TryParse(t.Replace('_', '+'), out var v), Version: v))
            .Where(t => t.Ok)
            .ToList();
        try
        {
            var picked = ChartVersionResolver.Resolve(repository.Repository, semver, versions, t => t.Version, repository.Display("tags/list"));
            return (picked.Tag, picked.Tag);
        }
        catch (HelmChartException exception)
        {
            throw new HelmChartException(exception.Reason, exception.Message.Replace("spec.chart.spec.version", "spec.ref.semver", StringComparison.Ordinal)
                .Replace($"chart '{repository.Repository}'", "the artifact", StringComparison.Ordinal));
        }
    }

    /// <summary>The layer of <c>spec.layerSelector.mediaType</c>, or the first layer.</summary>
    private static JsonObject SelectLayer(JsonObject manifest, OCILayerSelector? selector, string where)
    {
        var layers = (manifest["layers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (selector?.MediaType is not { Length: > 0 } mediaType)
        {
            return layers.FirstOrDefault()
                ?? throw new HelmChartException("OCIArtifactPullFailed", $"{where} has no layers; push an artifact with content");
        }

        return layers.FirstOrDefault(l => l["mediaType"]?.GetValue<string>() == mediaType)
            ?? throw new HelmChartException("OCILayerOperationFailed", $"{where} has no layer of type {mediaType}; it has {string.Join(", ", layers.Select(l => l["mediaType"]?.GetValue<string>()).Distinct())}; fix spec.layerSelector.mediaType");
    }

    private async Task<HelmRepositoryCredentials?> CredentialsAsync(OCIRepositorySpec spec, string registry, CancellationToken cancellationToken)
    {
        if (spec.SecretRef is not { } reference)
        {
            return null;
        }

        var data = await secrets.ReadAsync(Namespace, reference.Name, cancellationToken)
            ?? throw new SecretReferenceException($"spec.secretRef: Secret {Namespace}/{reference.Name} does not exist; create it with kubectl create secret docker-registry");
        return HelmRepositoryCredentials.FromDockerConfig(data, registry)
            ?? HelmRepositoryCredentials.FromSecretData(data)
            ?? throw new SecretReferenceException($"spec.secretRef: Secret {Namespace}/{reference.Name} has no .dockerconfigjson entry for {registry} and no username and password; add one");
    }

    /// <inheritdoc />
    protected override SourceStatus Status() => StatusOf(State);

    /// <summary>The status of <paramref name="state"/>, as the grain reports it (the API folds the same from the log).</summary>
    public static SourceStatus StatusOf(OCIRepositoryState state) => SourceConditions.StatusOf(state, state.Spec?.Suspend == true,
        $"stored artifact for digest '{state.Artifact?.Revision}'", "pulling the artifact", state.Spec?.Interval, "InvalidSpec");
}
