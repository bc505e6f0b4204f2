using Granary.Grains.Clusters;
using Granary.Grains.Kubernetes.Client;

namespace Granary.Grains.Releases;

/// <summary>What HelmRelease grains share in a silo: the target cluster, its capabilities, the renderer, and render statistics.</summary>
/// <param name="Cluster">The cluster releases are installed into (and values ConfigMaps/Secrets are read from).</param>
/// <param name="Renderer">Runs <c>helm template</c>.</param>
/// <param name="Capabilities">The cluster's version and API versions, for rendering.</param>
public sealed record HelmReleaseEnvironment(KubernetesClient Cluster, HelmTemplateRenderer Renderer, ClusterCapabilitiesReader Capabilities)
{
    private readonly ServiceAccountClients _accounts = new(Cluster);

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<KubernetesClient, ClusterCapabilitiesReader> _capabilities = new();

    /// <summary>Clients for other clusters (<c>kubeConfig</c>, <c>clusterRef</c>); null when the silo installs only into its own.</summary>
    public ClusterClients? Fleet { get; init; }

    /// <summary>The capabilities reader of another cluster's <paramref name="client"/> (a new client after a spec or Secret change gets a new reader).</summary>
    public ClusterCapabilitiesReader CapabilitiesOf(KubernetesClient client) =>
        _capabilities.GetValue(client, c => new ClusterCapabilitiesReader(c, TimeProvider.System));

    /// <summary>Renders shared by the silo's HelmReleases, keyed by every input of <c>helm template</c>.</summary>
    public RenderCache SharedRenders { get; } = new();

    /// <summary>How often a render was reused or run.</summary>
    public RenderStatistics Renders { get; } = new();

    /// <summary>The client that applies for a release: the cluster's own, or one impersonating its ServiceAccount (as Flux), cached per account.</summary>
    public KubernetesClient ClientFor(string @namespace, string? serviceAccountName) => _accounts.For(@namespace, serviceAccountName);
}

/// <summary>Counts renders reused from a release's last render and renders run, for metrics and the benchmark.</summary>
public sealed class RenderStatistics
{
    private long _hits;
    private long _misses;

    /// <summary>Renders reused.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Renders run.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Counts one reuse.</summary>
    public void Hit() => Interlocked.Increment(ref _hits);

    /// <summary>Counts one render.</summary>
    public void Miss() => Interlocked.Increment(ref _misses);
}
