using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Health;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>With wait, an apply returns once Deployments have rolled out; one that cannot roll out fails at the deadline saying which and why.</summary>
public sealed class Health_waits_for_a_Deployment_to_roll_out(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task The_apply_succeeds_when_every_replica_is_available()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("rollout");
        await using var nodes = await NodeSimulator.StartAsync(kubernetes.Cluster, ns.Name);
        using var client = Manifests.Client(kubernetes.Cluster);

        var result = await Manifests.ApplyAsync(client, [Manifests.Deployment(ns.Name, "web", replicas: 2)], options: new ApplyOptions { Wait = true, Timeout = TimeSpan.FromSeconds(90) });

        Assert.True(result.Health!.Healthy);
        var deployment = await kubernetes.Cluster.Admin.GetAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web");
        Assert.Equal(2, (int?)deployment!["status"]!["availableReplicas"]);
    }

    [Fact]
    public async Task A_Deployment_whose_Pods_never_get_ready_fails_the_health_check_naming_it()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("unready");
        await using var nodes = await NodeSimulator.StartAsync(kubernetes.Cluster, ns.Name);
        using var client = Manifests.Client(kubernetes.Cluster);
        var stuck = Manifests.Deployment(ns.Name, "stuck", replicas: 1, podAnnotations: new JsonObject { [NodeSimulator.ReadyAnnotation] = "false" });

        var result = await new ApplyEngine(client).ApplyAsync(Manifests.Owner(), [stuck, Manifests.ConfigMap(ns.Name, "fine")], Inventory.Empty,
            new ApplyOptions { Wait = true, Timeout = TimeSpan.FromSeconds(8) }, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(ApplyReasons.HealthCheckFailed, result.Reason);
        Assert.Contains($"Deployment {ns}/stuck: InProgress: 0 of 1 updated replicas are available", result.Message);
        Assert.Contains("timed out", result.Message);
        Assert.DoesNotContain("ConfigMap", result.Message);
        Assert.Equal(2, result.Inventory.Entries.Count); // applied, so remembered for the next prune
        Assert.Equal(HealthState.InProgress, result.Health!.NotReady.Single().Value.State);
    }
}
