using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>Each fault proxy test class gets its own proxy in front of the shared cluster.</summary>
public abstract class FaultProxyTestBase(LocalKubernetes kubernetes, int seed = 1) : IClassFixture<LocalKubernetes>, IAsyncLifetime
{
    protected LocalCluster Cluster => kubernetes.Cluster;

    protected FaultProxy Proxy { get; private set; } = null!;

    public async Task InitializeAsync() => Proxy = await FaultProxy.StartAsync(kubernetes.Cluster, seed);

    public async Task DisposeAsync() => await Proxy.DisposeAsync();

    /// <summary>A client that reaches the cluster as admin through the proxy.</summary>
    protected HttpClient AdminThroughProxy() => Proxy.CreateHttpClient(Cluster.AdminToken);
}
