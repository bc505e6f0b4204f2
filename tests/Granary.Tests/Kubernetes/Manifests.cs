using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Grains.Kubernetes.Manifests;
using Granary.Testing;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>Manifests, clients and waits the Kubernetes access tests share.</summary>
internal static class Manifests
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>A client of <paramref name="cluster"/> as admin (or through <paramref name="kubeconfig"/>).</summary>
    public static KubernetesClient Client(LocalCluster cluster, string? kubeconfig = null, KubernetesClientOptions? options = null) =>
        new(KubeconfigLoader.Load(kubeconfig ?? cluster.KubeconfigPath), options);

    public static ResourceOwner Owner(string name = "apps") => new(name, "flux-system");

    public static IReadOnlyList<JsonObject> Yaml(string yaml) => ManifestReader.Parse(yaml, "test manifests");

    public static JsonObject ConfigMap(string @namespace, string name, string value = "one") => InNamespace(Workloads.ConfigMap(name, value), @namespace);

    /// <summary>The infrastructure tests' Deployment in <paramref name="namespace"/>, with a port that names no protocol (v1.20 needs it defaulted).</summary>
    public static JsonObject Deployment(string @namespace, string name, int replicas = 1, string image = "nginx:1.25", JsonObject? podAnnotations = null)
    {
        var deployment = InNamespace(Workloads.Deployment(name, replicas, podAnnotations), @namespace);
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        container["image"] = image;
        container["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 80 });
        return deployment;
    }

    public static JsonObject Service(string @namespace, string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = @namespace },
        ["spec"] = new JsonObject
        {
            ["clusterIP"] = "None",
            ["selector"] = new JsonObject { ["app"] = name },
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["targetPort"] = 8080 }),
        },
    };

    private static JsonObject InNamespace(JsonObject obj, string @namespace)
    {
        obj["metadata"]!["namespace"] = @namespace;
        return obj;
    }

    /// <summary>Applies with default options and fails the test unless the apply succeeded.</summary>
    public static async Task<ApplyResult> ApplyAsync(KubernetesClient client, IReadOnlyList<JsonObject> objects, Inventory? previous = null, ApplyOptions? options = null,
        ResourceOwner? owner = null)
    {
        var result = await new ApplyEngine(client).ApplyAsync(owner ?? Owner(), objects, previous ?? Inventory.Empty, options ?? new ApplyOptions(), CancellationToken.None);
        Assert.True(result.Succeeded, $"{result.Reason}: {result.Message}");
        return result;
    }

    /// <summary>Waits until an RBAC binding takes effect (the authorizer reads them from a cache).</summary>
    public static Task UntilAllowedAsync(Func<Task> attempt, string what) =>
        Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                await attempt();
                return true;
            }
            catch (ForbiddenException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), what);

    /// <summary>Binds <paramref name="user"/> (a User or a ServiceAccount name) to a ClusterRole in <paramref name="namespace"/>.</summary>
    public static Task BindAsync(LocalCluster cluster, string @namespace, string clusterRole, JsonObject subject) =>
        cluster.Admin.CreateAsync($"/apis/rbac.authorization.k8s.io/v1/namespaces/{@namespace}/rolebindings", new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = "RoleBinding",
            ["metadata"] = new JsonObject { ["name"] = $"{clusterRole}-{Guid.NewGuid():N}"[..20] },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = clusterRole },
            ["subjects"] = new JsonArray(subject),
        });
}
