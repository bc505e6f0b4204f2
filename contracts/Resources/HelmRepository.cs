namespace Granary.Contracts.Resources;

/// <summary>A Helm chart repository (<c>source.toolkit.fluxcd.io/v1</c>, kind <c>HelmRepository</c>): an HTTP index or an OCI registry.</summary>
public sealed record HelmRepository : ResourceDocument
{
    /// <summary>The API version Granary reads.</summary>
    public const string Version = "source.toolkit.fluxcd.io/v1";

    /// <summary>Where the charts are and how often to look.</summary>
    public required HelmRepositorySpec Spec { get; init; }
}

/// <summary>The desired state of a HelmRepository, with Flux's field names.</summary>
public sealed record HelmRepositorySpec
{
    /// <summary>The repository URL: <c>https://…</c> (the index is <c>index.yaml</c> below it) or <c>oci://registry/path</c>.</summary>
    public required string Url { get; init; }

    /// <summary><c>default</c> (an HTTP index, the default) or <c>oci</c>.</summary>
    public string? Type { get; init; }

    /// <summary>How often to fetch the index (default 10m).</summary>
    public GoDuration? Interval { get; init; }

    /// <summary>The deadline of each request (default 60s).</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>A Secret with basic-auth <c>username</c> and <c>password</c>.</summary>
    public LocalObjectReference? SecretRef { get; init; }

    /// <summary>Send the credentials to chart URLs on other hosts too (default false, as Flux).</summary>
    public bool PassCredentials { get; init; }

    /// <summary>Allow plain HTTP for an OCI registry.</summary>
    public bool Insecure { get; init; }

    /// <summary>The credential provider (only <c>generic</c> in Granary today).</summary>
    public string? Provider { get; init; }

    /// <summary>Stop fetching.</summary>
    public bool Suspend { get; init; }
}
