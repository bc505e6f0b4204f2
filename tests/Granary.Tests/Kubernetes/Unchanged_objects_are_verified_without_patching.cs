using Granary.Grains.Kubernetes.Apply;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>
/// An unchanged re-apply verifies every object against the live cluster with one list per type and namespace, and sends
/// no patch, not even a dry run, when the live objects prove nothing would change.
/// </summary>
public sealed class Unchanged_objects_are_verified_without_patching(LocalKubernetes kubernetes) : FaultProxyTestBase(kubernetes)
{
    [Fact]
    public async Task A_reapply_lists_each_type_once_and_patches_nothing()
    {
        await using var ns = await Cluster.CreateNamespaceAsync("verify");
        using var client = Manifests.Client(Cluster, Proxy.WriteKubeconfig(new ClusterUser("admin", Cluster.AdminToken)));
        var objects = Enumerable.Range(0, 5).SelectMany(i => new[] { Manifests.Deployment(ns.Name, $"web-{i}", replicas: 0), Manifests.Service(ns.Name, $"web-{i}") }).ToList();
        var first = await Manifests.ApplyAsync(client, objects);
        var before = Proxy.Requests.Count;

        var again = await Manifests.ApplyAsync(client, objects, first.Inventory);

        var requests = Proxy.Requests.Skip(before).ToList();
        Assert.Equal(10, again.ChangeSet.Count(ChangeAction.Unchanged));
        Assert.DoesNotContain(requests, r => r.Method == "PATCH");
        Assert.Equal(2, requests.Count(r => r.Method == "GET" && r.PathAndQuery.Contains($"/namespaces/{ns}/")));
    }

    [Fact]
    public async Task A_field_changed_by_another_manager_is_caught_by_the_dry_run()
    {
        await using var ns = await Cluster.CreateNamespaceAsync("verify");
        using var client = Manifests.Client(Cluster, Proxy.WriteKubeconfig(new ClusterUser("admin", Cluster.AdminToken)));
        var first = await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "settings")]);
        await Cluster.Admin.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/settings?fieldManager=kubectl-edit",
            new() { ["data"] = new System.Text.Json.Nodes.JsonObject { ["value"] = "edited" } });

        var again = await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "settings")], first.Inventory);

        Assert.Equal(ChangeAction.Configured, again.ChangeSet.Changes.Single().Action);
        Assert.Contains(Proxy.Requests, r => r.Method == "PATCH" && r.PathAndQuery.Contains("dryRun=All"));
        Assert.Equal("one", (string?)(await Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/settings"))!["data"]!["value"]);
    }
}
