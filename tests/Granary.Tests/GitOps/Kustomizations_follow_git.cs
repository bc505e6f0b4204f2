using Granary.Contracts.Events;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.GitOps;

public sealed class Kustomizations_follow_git(LocalKubernetes kubernetes) : GitOpsTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_new_commit_is_applied_listing_exactly_the_changed_objects_and_a_deleted_manifest_is_pruned()
    {
        Repository.Commit(new Dictionary<string, string>
        {
            ["apps/settings.yaml"] = ConfigMap("settings", "v1"),
            ["apps/extra.yaml"] = ConfigMap("extra", "x"),
            ["apps/stable.yaml"] = ConfigMap("stable", "s"),
        });
        await ApplySourceAsync();
        var first = await ApplyKustomizationAsync("apps", "./apps");

        Assert.True(first.IsReady, string.Join("; ", first.Conditions.Select(c => c.Message)));
        Assert.Equal($"main@sha1:{Repository.Head()}", first.LastAppliedRevision);
        Assert.Equal("v1", await ConfigMapValueAsync("settings"));
        var created = Assert.Single(await EventsAsync<Applied>("apps"));
        Assert.Equal(3, created.Changes.Count);
        Assert.All(created.Changes, c => Assert.EndsWith("created", c));

        Repository.Git("rm", "-q", "apps/extra.yaml");
        var commit = Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "v2") });
        await Source.ReconcileAsync();

        await Eventually.WaitUntilAsync(async () => (await KustomizationGrain("apps").GetStatusAsync()).LastAppliedRevision == $"main@sha1:{commit}", Deadline, "the new commit to be applied");
        var second = (await EventsAsync<Applied>("apps"))[^1];
        Assert.Equal([$"ConfigMap {Namespace}/extra deleted", $"ConfigMap {Namespace}/settings configured"], second.Changes.Order());
        Assert.Equal("v2", await ConfigMapValueAsync("settings"));
        Assert.Null(await ConfigMapValueAsync("extra"));
        Assert.Equal(2, second.Inventory.Count);
        Assert.Equal([$"ConfigMap {Namespace}/extra"], Assert.Single(await EventsAsync<Pruned>("apps")).Objects);
    }

    [Fact]
    public async Task A_change_made_in_the_cluster_is_put_back_and_recorded_as_drift()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "from-git") });
        await ApplySourceAsync();
        await ApplyKustomizationAsync("apps", "./apps");

        // Someone edits the object by hand, as kubectl edit would.
        await Cluster.Admin.PatchAsync($"/api/v1/namespaces/{Namespace}/configmaps/settings", new System.Text.Json.Nodes.JsonObject
        {
            ["data"] = new System.Text.Json.Nodes.JsonObject { ["value"] = "by-hand" },
        });
        Assert.Equal("by-hand", await ConfigMapValueAsync("settings"));

        await KustomizationGrain("apps").ReconcileAsync();

        Assert.Equal("from-git", await ConfigMapValueAsync("settings"));
        Assert.Equal([$"ConfigMap {Namespace}/settings"], Assert.Single(await EventsAsync<DriftCorrected>("apps")).Objects);
        await KustomizationGrain("apps").ReconcileAsync();
        Assert.Single(await EventsAsync<DriftCorrected>("apps"));
    }

    [Fact]
    public async Task A_broken_manifest_fails_the_build_and_leaves_the_applied_objects_alone()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "good") });
        await ApplySourceAsync();
        Assert.True((await ApplyKustomizationAsync("apps", "./apps")).IsReady);

        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n" });
        await Source.ReconcileAsync();

        await Eventually.WaitUntilAsync(async () => (await KustomizationGrain("apps").GetStatusAsync()).ReadyReason == "BuildFailed", Deadline, "the build to fail");
        var status = await KustomizationGrain("apps").GetStatusAsync();
        Assert.Contains("kustomize build failed", status.Conditions.First(c => c.Type == "Ready").Message);
        Assert.NotEqual(status.LastAttemptedRevision, status.LastAppliedRevision);
        Assert.Equal("good", await ConfigMapValueAsync("settings"));
    }

    [Fact]
    public async Task Variables_are_substituted_from_a_ConfigMap_and_inline()
    {
        await Cluster.Admin.CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "cluster-vars" },
            ["data"] = new System.Text.Json.Nodes.JsonObject { ["cluster_env"] = "prod", ["region"] = "eu" },
        });
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "${cluster_env}-${region}-${tier:=web}") });
        await ApplySourceAsync();

        var status = await ApplyKustomizationAsync("apps", "./apps", spec => spec with
        {
            Wait = true,
            PostBuild = new Granary.Contracts.Resources.PostBuild
            {
                Substitute = new() { ["region"] = "us" },
                SubstituteFrom = [new Granary.Contracts.Resources.SubstituteReference { Kind = "ConfigMap", Name = "cluster-vars" }],
            },
        });

        Assert.True(status.IsReady, string.Join("; ", status.Conditions.Select(c => c.Message)));
        Assert.Equal("prod-us-web", await ConfigMapValueAsync("settings"));
        Assert.Equal(status.LastAppliedRevision, Assert.Single(await EventsAsync<HealthChecked>("apps")).Revision);
    }

    [Fact]
    public async Task Suspend_stops_applying_until_resumed()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "one") });
        await ApplySourceAsync();
        await ApplyKustomizationAsync("apps", "./apps");
        await KustomizationGrain("apps").SuspendAsync("freeze");

        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "two") });
        await Source.ReconcileAsync();
        await KustomizationGrain("apps").ReconcileAsync();
        Assert.Equal("one", await ConfigMapValueAsync("settings"));

        await KustomizationGrain("apps").ResumeAsync();
        await Eventually.WaitUntilAsync(async () => await ConfigMapValueAsync("settings") == "two", Deadline, "the resumed Kustomization to apply the new commit");
    }

    [Fact]
    public async Task Reconcile_with_source_is_recorded_with_the_actor_and_picks_up_a_new_commit()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "one") });
        await ApplySourceAsync();
        await ApplyKustomizationAsync("apps", "./apps");
        var commit = Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "two") });

        Granary.Contracts.Deployments.DeploymentStatus status;
        using (Granary.Runtime.Calls.GrainCallContext.Begin("cli-42", actor: "alice"))
        {
            status = await KustomizationGrain("apps").RequestReconcileAsync(withSource: true);
        }

        Assert.Equal($"main@sha1:{commit}", status.LastAppliedRevision);
        Assert.Equal("two", await ConfigMapValueAsync("settings"));
        var requests = new List<(string Stream, string? Actor, string? Correlation)>();
        foreach (var stream in new[] { $"kustomization/{Namespace}/apps", $"gitrepository/{Namespace}/fleet" })
        {
            await foreach (var e in Silo.Silo.EventStore.ReadStreamAsync(stream))
            {
                if (e.EventType == "resource.reconcile-requested")
                {
                    requests.Add((stream, e.Actor, e.CorrelationId));
                }
            }
        }

        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(("alice", "cli-42"), (r.Actor, r.Correlation)));
    }

    [Fact]
    public async Task Deleting_a_kustomization_prunes_what_it_applied()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "one") });
        await ApplySourceAsync();
        await ApplyKustomizationAsync("apps", "./apps");
        Assert.Equal("one", await ConfigMapValueAsync("settings"));

        await KustomizationGrain("apps").DeleteAsync();

        Assert.Null(await ConfigMapValueAsync("settings"));
        Assert.False((await KustomizationGrain("apps").GetStatusAsync()).Exists);
    }

    [Fact]
    public async Task A_remote_cluster_reference_fails_clearly_until_clusters_are_supported()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "one") });
        await ApplySourceAsync();

        var status = await ApplyKustomizationAsync("apps", "./apps", s => s with { ClusterRef = new Granary.Contracts.Resources.LocalObjectReference { Name = "prod-eu" } });

        Assert.Contains("spec.clusterRef", status.Conditions.First(c => c.Type == "Ready").Message);
        Assert.Null(await ConfigMapValueAsync("settings"));
    }
}
