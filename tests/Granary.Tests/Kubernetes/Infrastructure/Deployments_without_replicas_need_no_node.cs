namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>The controller-manager alone makes a Deployment with zero replicas Available; no node or simulator is involved.</summary>
public sealed class Deployments_without_replicas_need_no_node(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_Deployment_with_zero_replicas_becomes_Available_without_the_simulator()
    {
        var cluster = kubernetes.Cluster;
        await using var @namespace = await cluster.CreateNamespaceAsync("empty");

        await cluster.Admin.CreateAsync($"/apis/apps/v1/namespaces/{@namespace}/deployments", Workloads.Deployment("idle", replicas: 0));

        await Workloads.WaitUntilAvailableAsync(cluster, @namespace.Name, "idle");
    }
}
