using System.Text.Json.Nodes;
using Granary.Testing;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>Manifests and waits the infrastructure tests share.</summary>
internal static class Workloads
{
    public static readonly TimeSpan RolloutTimeout = TimeSpan.FromSeconds(90);

    public static JsonObject Deployment(string name, int replicas, JsonObject? podAnnotations = null) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name }, ["annotations"] = podAnnotations ?? [] },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx:1.25" }),
                },
            },
        },
    };

    public static JsonObject ConfigMap(string name, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["data"] = new JsonObject { ["value"] = value },
    };

    /// <summary>Waits until the Deployment's controller saw its latest spec and reports it Available with every replica.</summary>
    public static Task WaitUntilAvailableAsync(LocalCluster cluster, string @namespace, string name) =>
        Eventually.WaitUntilAsync(async () =>
        {
            var deployment = await cluster.Admin.GetAsync($"/apis/apps/v1/namespaces/{@namespace}/deployments/{name}");
            var status = deployment?["status"];
            var available = status?["conditions"]?.AsArray()
                .Any(c => c?["type"]?.GetValue<string>() == "Available" && c["status"]?.GetValue<string>() == "True") == true;
            var replicas = deployment?["spec"]?["replicas"]?.GetValue<int>() ?? -1;
            return available
                && status?["observedGeneration"]?.GetValue<long>() == deployment!["metadata"]!["generation"]!.GetValue<long>()
                && (status["availableReplicas"]?.GetValue<int>() ?? 0) == replicas;
        }, RolloutTimeout, $"Deployment {@namespace}/{name} to become Available");
}
