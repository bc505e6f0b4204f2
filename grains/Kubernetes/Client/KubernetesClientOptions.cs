namespace Granary.Grains.Kubernetes.Client;

/// <summary>Per-cluster limits and identity of a <see cref="KubernetesClient"/>.</summary>
public sealed record KubernetesClientOptions
{
    /// <summary>The field manager name server-side apply records (<c>fieldManager</c>).</summary>
    public string FieldManager { get; init; } = "granary";

    /// <summary>Sustained requests per second to this cluster. client-go's default (5) would make 1,000 objects take minutes.</summary>
    public double QueriesPerSecond { get; init; } = 500;

    /// <summary>Requests allowed at once above the sustained rate.</summary>
    public int Burst { get; init; } = 1000;

    /// <summary>Requests in flight at once; past a few per server core the API server only queues them.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>How often a throttled (429), timed out or unreachable request is retried before it fails.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The longest Retry-After the client waits for; longer requests are capped.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one request may take before it counts as unanswered.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for a TCP and TLS connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Limits shared with other clients of the same cluster; when set, it replaces <see cref="QueriesPerSecond"/>,
    /// <see cref="Burst"/> and <see cref="MaxConcurrency"/>, and the client does not dispose it.
    /// </summary>
    public RequestThrottle? Throttle { get; init; }

    /// <summary>Discovery shared with another client of the same cluster (e.g. one impersonating a ServiceAccount); null for its own.</summary>
    public Discovery.RestMapper? Discovery { get; init; }

    /// <summary>Wraps the HTTP handler every request passes through, inside the throttle (metrics, tracing, tests); null for none.</summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapHandler { get; init; }
}
