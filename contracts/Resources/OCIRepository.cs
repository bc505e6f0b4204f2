using System.Text.Json;

namespace Granary.Contracts.Resources;

/// <summary>An OCI artifact source (<c>source.toolkit.fluxcd.io/v1beta2</c> or <c>v1</c>, kind <c>OCIRepository</c>): one layer of an artifact in a registry.</summary>
public sealed record OCIRepository : ResourceDocument
{
    /// <summary>The API version Flux documents for OCIRepository (also read: <see cref="V1"/>).</summary>
    public const string Version = "source.toolkit.fluxcd.io/v1beta2";

    /// <summary>The later API version, read the same way.</summary>
    public const string V1 = "source.toolkit.fluxcd.io/v1";

    /// <summary>Which artifact, which layer, and how often to look.</summary>
    public required OCIRepositorySpec Spec { get; init; }
}

/// <summary>The desired state of an OCIRepository, with Flux's field names.</summary>
public sealed record OCIRepositorySpec
{
    /// <summary>The repository: <c>oci://registry[:port]/path</c>.</summary>
    public required string Url { get; init; }

    /// <summary>Which artifact: tag, semver range or digest (default tag <c>latest</c>).</summary>
    public OCIRepositoryRef? Ref { get; init; }

    /// <summary>Which layer and what to do with it (default: the first layer, extracted).</summary>
    public OCILayerSelector? LayerSelector { get; init; }

    /// <summary>How often to check the registry.</summary>
    public required GoDuration Interval { get; init; }

    /// <summary>The deadline of each request (default 60s).</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>A Secret with registry credentials: <c>.dockerconfigjson</c> (as <c>kubectl create secret docker-registry</c> makes) or <c>username</c>/<c>password</c>.</summary>
    public LocalObjectReference? SecretRef { get; init; }

    /// <summary>The credential provider (only <c>generic</c> in Granary today).</summary>
    public string? Provider { get; init; }

    /// <summary>Allow plain HTTP to the registry.</summary>
    public bool Insecure { get; init; }

    /// <summary>Stop checking.</summary>
    public bool Suspend { get; init; }

    /// <summary>Extra ignore rules (refused: not supported yet).</summary>
    public string? Ignore { get; init; }

    /// <summary>Signature verification (refused: not supported yet).</summary>
    public JsonElement? Verify { get; init; }

    /// <summary>TLS client certificate and CA (refused: not supported yet).</summary>
    public LocalObjectReference? CertSecretRef { get; init; }

    /// <summary>A proxy (refused: not supported yet).</summary>
    public LocalObjectReference? ProxySecretRef { get; init; }

    /// <summary>A ServiceAccount's image pull secrets (refused: not supported yet).</summary>
    public string? ServiceAccountName { get; init; }
}

/// <summary>Which artifact of an OCIRepository: the digest wins over semver, semver over tag.</summary>
public sealed record OCIRepositoryRef
{
    /// <summary>An image digest, <c>sha256:…</c>.</summary>
    public string? Digest { get; init; }

    /// <summary>A SemVer range over the tags, as Helm writes constraints.</summary>
    public string? Semver { get; init; }

    /// <summary>A regular expression the tags must match before the semver range applies.</summary>
    public string? SemverFilter { get; init; }

    /// <summary>A tag (default <c>latest</c>).</summary>
    public string? Tag { get; init; }
}

/// <summary>Which layer of the artifact becomes the source's artifact.</summary>
public sealed record OCILayerSelector
{
    /// <summary>The layer's media type, e.g. <c>application/vnd.cncf.helm.chart.content.v1.tar+gzip</c> (default: the first layer).</summary>
    public string? MediaType { get; init; }

    /// <summary><c>extract</c> (default) or <c>copy</c>; a gzipped tar layer is stored as it is either way.</summary>
    public string? Operation { get; init; }
}
