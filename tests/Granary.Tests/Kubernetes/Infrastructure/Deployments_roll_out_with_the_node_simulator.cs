using System.Text.Json.Nodes;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>With the node simulator in its namespace, a Deployment rolls out through the real controllers: ReplicaSet, Pods, Ready, Available.</summary>
public sealed class Deployments_roll_out_with_the_node_simulator(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_Deployment_with_two_replicas_becomes_Available()
    {
        var cluster = kubernetes.Cluster;
        await using var @namespace = await cluster.CreateNamespaceAsync("rollout");
        await using var nodes = await NodeSimulator.StartAsync(cluster, @namespace.Name);

        await cluster.Admin.CreateAsync($"/apis/apps/v1/namespaces/{@namespace}/deployments", Workloads.Deployment("web", replicas: 2));

        await Workloads.WaitUntilAvailableAsync(cluster, @namespace.Name, "web");
        var pods = (await cluster.Admin.GetAsync($"/api/v1/namespaces/{@namespace}/pods"))!["items"]!.AsArray();
        Assert.Equal(2, pods.Count);
        Assert.All(pods, pod =>
        {
            Assert.Equal(NodeSimulator.NodeName, pod!["spec"]!["nodeName"]!.GetValue<string>());
            Assert.Equal("Running", pod["status"]!["phase"]!.GetValue<string>());
        });
        Assert.Null(nodes.LastError);
    }

    [Fact]
    public async Task A_new_template_rolls_out_and_the_old_Pods_go_away()
    {
        var cluster = kubernetes.Cluster;
        await using var @namespace = await cluster.CreateNamespaceAsync("update");
        await using var nodes = await NodeSimulator.StartAsync(cluster, @namespace.Name);
        var path = $"/apis/apps/v1/namespaces/{@namespace}/deployments";
        await cluster.Admin.CreateAsync(path, Workloads.Deployment("web", replicas: 2));
        await Workloads.WaitUntilAvailableAsync(cluster, @namespace.Name, "web");

        await cluster.Admin.PatchAsync($"{path}/web", new JsonObject
        {
            ["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["revision"] = "2" } } } },
        });

        await Workloads.WaitUntilAvailableAsync(cluster, @namespace.Name, "web");
        await Granary.Testing.Eventually.WaitUntilAsync(async () =>
        {
            var pods = (await cluster.Admin.GetAsync($"/api/v1/namespaces/{@namespace}/pods"))!["items"]!.AsArray();
            return pods.Count == 2 && pods.All(p => p!["metadata"]!["annotations"]?["revision"]?.GetValue<string>() == "2");
        }, Workloads.RolloutTimeout, "only the two new Pods to remain");
    }
}
