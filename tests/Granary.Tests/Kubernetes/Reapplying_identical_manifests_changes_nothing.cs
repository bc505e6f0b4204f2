using Granary.Grains.Kubernetes.Apply;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>Applying the same manifests twice reports every object unchanged and leaves them untouched; a real change is reported as configured.</summary>
public sealed class Reapplying_identical_manifests_changes_nothing(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Every_object_is_unchanged_and_keeps_its_resourceVersion()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("reapply");
        using var client = Manifests.Client(kubernetes.Cluster);
        var objects = Enumerable.Range(0, 6).SelectMany(i => new[]
        {
            Manifests.ConfigMap(ns.Name, $"map-{i}"),
            Manifests.Service(ns.Name, $"svc-{i}"),
            Manifests.Deployment(ns.Name, $"web-{i}", replicas: 0),
        }).ToList();
        var first = await Manifests.ApplyAsync(client, objects);
        var before = await kubernetes.Cluster.Admin.GetAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web-0");

        var second = await Manifests.ApplyAsync(client, objects, first.Inventory);

        Assert.Equal(18, first.ChangeSet.Count(ChangeAction.Created));
        Assert.Equal(18, second.ChangeSet.Count(ChangeAction.Unchanged));
        Assert.False(second.ChangeSet.HasChanges);
        Assert.Equal(first.Inventory, second.Inventory);
        var after = await kubernetes.Cluster.Admin.GetAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web-0");
        Assert.Equal((long?)before!["metadata"]!["generation"], (long?)after!["metadata"]!["generation"]);
    }

    [Fact]
    public async Task A_changed_field_is_configured_and_the_rest_stay_unchanged()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("configure");
        using var client = Manifests.Client(kubernetes.Cluster);
        var first = await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "a"), Manifests.ConfigMap(ns.Name, "b")]);

        var second = await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "a"), Manifests.ConfigMap(ns.Name, "b", "two")], first.Inventory);

        Assert.Equal(ChangeAction.Unchanged, second.ChangeSet.Changes.Single(c => c.Object.Name == "a").Action);
        Assert.Equal(ChangeAction.Configured, second.ChangeSet.Changes.Single(c => c.Object.Name == "b").Action);
        Assert.Equal("two", (string?)(await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/b"))!["data"]!["value"]);
    }

    [Fact]
    public async Task An_object_kubectl_created_with_the_same_content_is_unchanged()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("adopt");
        using var client = Manifests.Client(kubernetes.Cluster);
        var map = Manifests.ConfigMap(ns.Name, "existing");
        Manifests.Owner().Label(map);
        await kubernetes.Cluster.Admin.CreateAsync($"/api/v1/namespaces/{ns}/configmaps", map);

        var result = await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "existing")]);

        Assert.Equal(ChangeAction.Unchanged, result.ChangeSet.Changes.Single().Action);
    }
}
