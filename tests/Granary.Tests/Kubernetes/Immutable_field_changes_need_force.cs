using Granary.Grains.Kubernetes.Apply;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>Changing an immutable field (a Deployment's selector) fails naming the field unless force is set, which recreates the object.</summary>
public sealed class Immutable_field_changes_need_force(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Without_force_the_apply_fails_naming_the_field_and_the_fix()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("immutable");
        using var client = Manifests.Client(kubernetes.Cluster);
        var first = await Manifests.ApplyAsync(client, [Manifests.Deployment(ns.Name, "web", replicas: 0)]);

        var result = await new ApplyEngine(client).ApplyAsync(Manifests.Owner(), [Reselected(ns.Name)], first.Inventory, new ApplyOptions(), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(ApplyReasons.ReconciliationFailed, result.Reason);
        Assert.Contains($"Deployment {ns}/web: spec.selector", result.Message);
        Assert.Contains("field is immutable", result.Message);
        Assert.Contains("force", result.Message);
    }

    [Fact]
    public async Task With_force_the_object_is_deleted_and_recreated()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("recreate");
        using var client = Manifests.Client(kubernetes.Cluster);
        var first = await Manifests.ApplyAsync(client, [Manifests.Deployment(ns.Name, "web", replicas: 0)]);
        var before = await kubernetes.Cluster.Admin.GetAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web");

        var result = await Manifests.ApplyAsync(client, [Reselected(ns.Name)], first.Inventory, new ApplyOptions { Force = true });

        var change = result.ChangeSet.Changes.Single();
        Assert.Equal(ChangeAction.Configured, change.Action);
        Assert.Contains("recreated", change.Note);
        var after = await kubernetes.Cluster.Admin.GetAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web");
        Assert.NotEqual((string?)before!["metadata"]!["uid"], (string?)after!["metadata"]!["uid"]);
        Assert.Equal("v2", (string?)after["spec"]!["selector"]!["matchLabels"]!["version"]);
    }

    private static System.Text.Json.Nodes.JsonObject Reselected(string @namespace)
    {
        var deployment = Manifests.Deployment(@namespace, "web", replicas: 0);
        deployment["spec"]!["selector"]!["matchLabels"]!["version"] = "v2";
        deployment["spec"]!["template"]!["metadata"]!["labels"]!["version"] = "v2";
        return deployment;
    }
}
