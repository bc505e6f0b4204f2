namespace Granary.Contracts.Resources;

/// <summary>
/// A cluster of a fleet (<c>fleet.granary.dev/v1alpha1</c>, kind <c>Cluster</c>), Granary's own kind. It lives in a namespace,
/// like the Secrets it references and the Kustomizations and HelmReleases that target it through <c>spec.clusterRef</c>;
/// its labels are <c>metadata.labels</c>, which fleet selectors match.
/// </summary>
public sealed record Cluster : ResourceDocument
{
    /// <summary>The API version Granary reads.</summary>
    public const string Version = "fleet.granary.dev/v1alpha1";

    /// <summary>How to reach the cluster and how hard to use it.</summary>
    public required ClusterSpec Spec { get; init; }
}

/// <summary>
/// How to reach a cluster: a kubeconfig in a Secret (<see cref="KubeConfig"/>, as Flux's <c>spec.kubeConfig</c>), or an
/// API server URL (<see cref="Endpoint"/>) with a Secret holding <c>token</c> and optionally <c>ca.crt</c> (<see cref="SecretRef"/>;
/// a ServiceAccount token Secret has exactly these keys).
/// </summary>
public sealed record ClusterSpec
{
    /// <summary>A Secret with a kubeconfig under key <c>value</c> or <c>value.yaml</c> (or the key named).</summary>
    public KubeConfigReference? KubeConfig { get; init; }

    /// <summary>The API server's URL, e.g. <c>https://10.0.0.1:6443</c>; used with <see cref="SecretRef"/>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>With <see cref="Endpoint"/>: a Secret with <c>token</c> (bearer token) and optionally <c>ca.crt</c> (PEM CA).</summary>
    public LocalObjectReference? SecretRef { get; init; }

    /// <summary>The name the server's certificate must carry when it differs from the endpoint's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>How often the health probe runs (default 1m).</summary>
    public GoDuration? Interval { get; init; }

    /// <summary>The deadline of each probe request (default 10s).</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>Stop probing (clients are still handed out).</summary>
    public bool Suspend { get; init; }

    /// <summary>Request limits every Granary component in a silo shares for this cluster.</summary>
    public ClusterLimits? Limits { get; init; }
}

/// <summary>Request limits for one cluster, shared by every client of it in a silo.</summary>
public sealed record ClusterLimits
{
    /// <summary>The default of <see cref="Concurrency"/>.</summary>
    public const int DefaultConcurrency = 16;

    /// <summary>The default of <see cref="Qps"/>.</summary>
    public const double DefaultQps = 500;

    /// <summary>The default of <see cref="Burst"/>.</summary>
    public const int DefaultBurst = 1000;

    /// <summary>Requests in flight at once (default 16).</summary>
    public int? Concurrency { get; init; }

    /// <summary>Sustained requests per second (default 500, as the silo's own cluster).</summary>
    public double? Qps { get; init; }

    /// <summary>Requests allowed at once above the sustained rate (default 1000).</summary>
    public int? Burst { get; init; }
}
