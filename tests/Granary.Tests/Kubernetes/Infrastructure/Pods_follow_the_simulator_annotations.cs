using System.Text.Json.Nodes;
using Granary.Testing;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>The node simulator finishes Pods that do not restart (so Jobs complete) and honours its per-Pod annotations.</summary>
public sealed class Pods_follow_the_simulator_annotations(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_Job_completes()
    {
        var cluster = kubernetes.Cluster;
        await using var @namespace = await cluster.CreateNamespaceAsync("job");
        await using var nodes = await NodeSimulator.StartAsync(cluster, @namespace.Name);

        await cluster.Admin.CreateAsync($"/apis/batch/v1/namespaces/{@namespace}/jobs", Job("migrate", exitCode: null));

        await WaitForJobConditionAsync(cluster, @namespace.Name, "migrate", "Complete");
    }

    [Fact]
    public async Task A_Job_whose_Pods_exit_non_zero_fails()
    {
        var cluster = kubernetes.Cluster;
        await using var @namespace = await cluster.CreateNamespaceAsync("job-fails");
        await using var nodes = await NodeSimulator.StartAsync(cluster, @namespace.Name);

        await cluster.Admin.CreateAsync($"/apis/batch/v1/namespaces/{@namespace}/jobs", Job("broken", exitCode: 3));

        await WaitForJobConditionAsync(cluster, @namespace.Name, "broken", "Failed");
    }

    [Fact]
    public async Task A_Pod_annotated_not_ready_runs_but_never_becomes_Ready()
    {
        var cluster = kubernetes.Cluster;
        await using var @namespace = await cluster.CreateNamespaceAsync("unready");
        await using var nodes = await NodeSimulator.StartAsync(cluster, @namespace.Name);

        await cluster.Admin.CreateAsync($"/apis/apps/v1/namespaces/{@namespace}/deployments",
            Workloads.Deployment("sick", replicas: 1, new JsonObject { [NodeSimulator.ReadyAnnotation] = "false" }));

        JsonNode? pod = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            pod = (await cluster.Admin.GetAsync($"/api/v1/namespaces/{@namespace}/pods"))!["items"]!.AsArray().SingleOrDefault();
            return pod?["status"]?["phase"]?.GetValue<string>() == "Running";
        }, Workloads.RolloutTimeout, "the Pod to run");
        var ready = pod!["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Ready");
        Assert.Equal("False", ready!["status"]!.GetValue<string>());
        var deployment = await cluster.Admin.GetAsync($"/apis/apps/v1/namespaces/{@namespace}/deployments/sick");
        Assert.Equal(0, deployment!["status"]!["availableReplicas"]?.GetValue<int>() ?? 0);
    }

    private static JsonObject Job(string name, int? exitCode) => new()
    {
        ["apiVersion"] = "batch/v1",
        ["kind"] = "Job",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["backoffLimit"] = 0,
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["annotations"] = exitCode is null ? new JsonObject() : new JsonObject { [NodeSimulator.ExitCodeAnnotation] = exitCode.ToString() },
                },
                ["spec"] = new JsonObject
                {
                    ["restartPolicy"] = "Never",
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "task", ["image"] = "busybox:1.36" }),
                },
            },
        },
    };

    private static Task WaitForJobConditionAsync(LocalCluster cluster, string @namespace, string name, string condition) =>
        Eventually.WaitUntilAsync(async () =>
        {
            var job = await cluster.Admin.GetAsync($"/apis/batch/v1/namespaces/{@namespace}/jobs/{name}");
            return job?["status"]?["conditions"]?.AsArray()
                .Any(c => c?["type"]?.GetValue<string>() == condition && c["status"]?.GetValue<string>() == "True") == true;
        }, Workloads.RolloutTimeout, $"Job {@namespace}/{name} to be {condition}");
}
