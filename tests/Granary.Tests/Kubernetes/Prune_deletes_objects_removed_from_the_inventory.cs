using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Apply;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>Objects that left the manifests are deleted — except those marked prune: disabled and those another owner took over.</summary>
public sealed class Prune_deletes_objects_removed_from_the_inventory(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Removed_objects_are_deleted_and_kept_ones_stay()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("prune");
        using var client = Manifests.Client(kubernetes.Cluster);
        var first = await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "kept"), Manifests.ConfigMap(ns.Name, "removed")]);

        var second = await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "kept")], first.Inventory, new ApplyOptions { Prune = true });

        Assert.Equal(ChangeAction.Deleted, second.ChangeSet.Changes.Single(c => c.Object.Name == "removed").Action);
        Assert.Equal([$"{ns}_kept__ConfigMap"], second.Inventory.Entries.Select(e => e.Id));
        Assert.Null(await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/removed"));
        Assert.NotNull(await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/kept"));
    }

    [Fact]
    public async Task An_object_with_prune_disabled_is_skipped()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("noprune");
        using var client = Manifests.Client(kubernetes.Cluster);
        var protectedMap = Manifests.ConfigMap(ns.Name, "protected");
        protectedMap["metadata"]!["annotations"] = new JsonObject { ["kustomize.toolkit.fluxcd.io/prune"] = "disabled" };
        var first = await Manifests.ApplyAsync(client, [protectedMap]);

        var second = await Manifests.ApplyAsync(client, [], first.Inventory, new ApplyOptions { Prune = true });

        var change = second.ChangeSet.Changes.Single();
        Assert.Equal(ChangeAction.Skipped, change.Action);
        Assert.Contains("prune: disabled", change.Note);
        Assert.NotNull(await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/protected"));
    }

    [Fact]
    public async Task An_object_another_owner_took_over_is_skipped()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("takeover");
        using var client = Manifests.Client(kubernetes.Cluster);
        var first = await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "shared")], owner: Manifests.Owner("first"));
        await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "shared")], owner: Manifests.Owner("second"));

        var pruned = await Manifests.ApplyAsync(client, [], first.Inventory, new ApplyOptions { Prune = true }, Manifests.Owner("first"));

        Assert.Equal(ChangeAction.Skipped, pruned.ChangeSet.Changes.Single().Action);
        Assert.NotNull(await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/shared"));
    }
}
