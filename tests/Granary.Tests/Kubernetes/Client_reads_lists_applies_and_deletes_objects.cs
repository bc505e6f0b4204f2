using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Objects;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>Every client operation against a real API server: get, list with selectors and pages, apply, dry-run, status, delete.</summary>
public sealed class Client_reads_lists_applies_and_deletes_objects(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Apply_creates_and_updates_and_get_reads_back_with_the_field_manager()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("client");
        using var client = Manifests.Client(kubernetes.Cluster);

        await client.ApplyAsync(Manifests.ConfigMap(ns.Name, "settings", "one"));
        var updated = await client.ApplyAsync(Manifests.ConfigMap(ns.Name, "settings", "two"));
        var read = await client.GetAsync(new ObjectReference("v1", "ConfigMap", ns.Name, "settings"));

        Assert.Equal("two", (string?)updated["data"]!["value"]);
        Assert.Equal("two", (string?)read["data"]!["value"]);
        Assert.Contains(read["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "granary" && (string?)m["operation"] == "Apply");
    }

    [Fact]
    public async Task A_dry_run_apply_returns_the_result_without_storing_it()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("dryrun");
        using var client = Manifests.Client(kubernetes.Cluster);

        var result = await client.ApplyAsync(Manifests.ConfigMap(ns.Name, "ghost"), dryRun: true);

        Assert.Equal("one", (string?)result["data"]!["value"]);
        Assert.Null(await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/ghost"));
    }

    [Fact]
    public async Task List_filters_by_label_and_follows_continue_tokens()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("list");
        using var client = Manifests.Client(kubernetes.Cluster);
        for (var i = 0; i < 5; i++)
        {
            var map = Manifests.ConfigMap(ns.Name, $"map-{i}");
            ObjectMetadata.SetLabel(map, "parity", i % 2 == 0 ? "even" : "odd");
            await client.ApplyAsync(map);
        }

        var firstPage = await client.ListAsync("v1", "ConfigMap", ns.Name, new ListOptions { LabelSelector = "parity", PageSize = 2 });
        var all = await client.ListAllAsync("v1", "ConfigMap", ns.Name, new ListOptions { LabelSelector = "parity", PageSize = 2 });
        var even = await client.ListAllAsync("v1", "ConfigMap", ns.Name, new ListOptions { LabelSelector = "parity=even" });

        Assert.Equal(2, firstPage.Items.Count);
        Assert.NotNull(firstPage.Continue);
        Assert.Equal(["map-0", "map-1", "map-2", "map-3", "map-4"], all.Select(o => (string?)o["metadata"]!["name"]).Order());
        Assert.All(all, o => Assert.Equal("ConfigMap", (string?)o["kind"]));
        Assert.Equal(["map-0", "map-2", "map-4"], even.Select(o => (string?)o["metadata"]!["name"]).Order());
    }

    [Fact]
    public async Task Delete_removes_the_object_and_reports_an_absent_one_as_false()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("delete");
        using var client = Manifests.Client(kubernetes.Cluster);
        var reference = new ObjectReference("v1", "ConfigMap", ns.Name, "doomed");
        await client.ApplyAsync(Manifests.ConfigMap(ns.Name, "doomed"));

        Assert.True(await client.DeleteAsync(reference, PropagationPolicy.Foreground));
        await Eventually.WaitUntilAsync(async () => await client.TryGetAsync(reference) is null, Manifests.Deadline, "the ConfigMap to be gone");
        Assert.False(await client.DeleteAsync(reference));
    }

    [Fact]
    public async Task Status_reads_the_status_subresource()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("status");
        using var client = Manifests.Client(kubernetes.Cluster);
        var reference = new ObjectReference("apps/v1", "Deployment", ns.Name, "idle");
        await client.ApplyAsync(Manifests.Deployment(ns.Name, "idle", replicas: 0));

        await Eventually.WaitUntilAsync(async () => (await client.GetStatusAsync(reference))?["observedGeneration"] is not null,
            Manifests.Deadline, "the Deployment controller to report status");
        await client.ApplyAsync(Manifests.ConfigMap(ns.Name, "plain"));
        Assert.Null(await client.GetStatusAsync(new ObjectReference("v1", "ConfigMap", ns.Name, "plain"))); // no status subresource, no status
    }

    [Fact]
    public async Task Errors_are_typed_and_keep_the_servers_message()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("errors");
        using var client = Manifests.Client(kubernetes.Cluster);

        var missing = await Assert.ThrowsAsync<NotFoundException>(() => client.GetAsync(new ObjectReference("v1", "ConfigMap", ns.Name, "absent")));
        var invalid = Manifests.ConfigMap(ns.Name, "bad");
        invalid["data"] = new JsonObject { ["not a key!"] = "x" };
        var refused = await Assert.ThrowsAsync<InvalidException>(() => client.ApplyAsync(invalid));
        await client.ApplyAsync(Manifests.ConfigMap(ns.Name, "owned"));
        await kubernetes.Cluster.Admin.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/owned?fieldManager=someone-else",
            new JsonObject { ["data"] = new JsonObject { ["value"] = "theirs" } });
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => client.ApplyAsync(Manifests.ConfigMap(ns.Name, "owned", "mine"), force: false));

        Assert.Contains("not found", missing.ServerMessage);
        Assert.Contains($"ConfigMap {ns}/absent", missing.Message);
        Assert.Contains(refused.Causes, c => c.Field == "data[not a key!]");
        Assert.Contains($"ConfigMap {ns}/bad is invalid", refused.Message);
        Assert.Contains("someone-else", conflict.ServerMessage);
        Assert.Contains("force", conflict.Message);
    }

    [Fact]
    public async Task The_server_version_is_read()
    {
        using var client = Manifests.Client(kubernetes.Cluster);

        var version = await client.GetServerVersionAsync();

        Assert.Equal("v1.20.2", (string?)version["gitVersion"]);
    }
}
