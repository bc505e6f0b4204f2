using System.Net;
using System.Net.Sockets;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>A cluster that is down (nothing listens at its address) is reported as unreachable, naming the server and the kubeconfig.</summary>
public sealed class An_unreachable_cluster_is_reported_clearly(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Requests_fail_with_ClusterUnreachable_after_a_few_retries()
    {
        var down = new Uri($"https://127.0.0.1:{ClosedPort()}");
        var kubeconfig = kubernetes.Cluster.WriteKubeconfig(new ClusterUser("admin", kubernetes.Cluster.AdminToken), down);
        using var client = Manifests.Client(kubernetes.Cluster, kubeconfig, new KubernetesClientOptions { MaxRetries = 2 });

        var error = await Assert.ThrowsAsync<ClusterUnreachableException>(() => client.GetServerVersionAsync());
        var result = await new ApplyEngine(client).ApplyAsync(Manifests.Owner(), [Manifests.ConfigMap("default", "x")], Inventory.Empty, new ApplyOptions(), CancellationToken.None);

        Assert.Contains($"Cannot reach the API server {down}", error.Message);
        Assert.Contains(kubeconfig, error.Message);
        Assert.Contains("Connection refused", error.Message);
        Assert.False(result.Succeeded);
        Assert.Equal(ApplyReasons.ReconciliationFailed, result.Reason);
        Assert.Contains("Cannot reach the API server", result.Message);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when the listener is disposed
    }
}
