using Granary.Contracts.Events;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.GitOps;

/// <summary>
/// Self-management: Flux kinds in a Kustomization's build are declared to Granary itself (as Flux's controllers pick up the
/// Flux objects of their cluster) — a commit adding a Kustomization creates its grain, removing it deletes it and prunes.
/// </summary>
public sealed class Kustomizations_declare_granary_resources_from_git(LocalKubernetes kubernetes) : GitOpsTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private string Child(string name, string path) => $"""
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: {name}
        spec:
          interval: 10m
          retryInterval: 1s
          path: {path}
          prune: true
          targetNamespace: {Namespace}
          sourceRef:
            kind: GitRepository
            name: fleet
        """;

    [Fact]
    public async Task A_Kustomization_added_in_git_gets_its_grain_and_one_removed_is_deleted_and_pruned()
    {
        Repository.Commit(new Dictionary<string, string>
        {
            ["clusters/root/apps.yaml"] = Child("apps", "./apps"),
            ["apps/config.yaml"] = ConfigMap("settings", "v1"),
        });
        await ApplySourceAsync();

        var root = await ApplyKustomizationAsync("root", "./clusters/root");

        Assert.True(root.IsReady, root.Conditions.First().Message);
        await Eventually.WaitUntilAsync(async () => await ConfigMapValueAsync("settings") == "v1", Deadline, "the declared Kustomization to apply its ConfigMap");
        var declared = Assert.Single(await EventsAsync<Applied>("root"));
        Assert.Equal([$"Kustomization {Namespace}/apps|1"], declared.Resources);
        Assert.Contains($"Kustomization {Namespace}/apps created", declared.Changes);
        Assert.Empty(declared.Inventory); // nothing of it went to the cluster as an object

        // An unchanged reconcile declares nothing new and records nothing.
        await KustomizationGrain("root").ReconcileAsync();
        Assert.Single(await EventsAsync<Applied>("root"));

        // Removed from Git: the grain is deleted, which prunes what it applied.
        Repository.Remove("clusters/root/apps.yaml");
        Repository.Commit(new Dictionary<string, string> { ["clusters/root/keep.yaml"] = ConfigMap("kept", "yes") });
        await Source.ReconcileAsync();
        await Eventually.WaitUntilAsync(async () => (await EventsAsync<Applied>("root")).Count == 2, Deadline, "the root to record the removal");
        Assert.Null(await ConfigMapValueAsync("settings"));
        Assert.False((await KustomizationGrain("apps").GetStatusAsync()).Exists);
        var removed = (await EventsAsync<Applied>("root")).Last();
        Assert.Contains($"Kustomization {Namespace}/apps deleted", removed.Changes);
        Assert.Empty(removed.Resources!);
    }

    [Fact]
    public async Task An_invalid_declared_resource_fails_the_build_naming_its_field_and_declares_nothing()
    {
        Repository.Commit(new Dictionary<string, string>
        {
            ["clusters/root/apps.yaml"] = Child("apps", "./apps").Replace("prune: true", "prune: true\n  intervall: 5m"),
            ["apps/config.yaml"] = ConfigMap("settings", "v1"),
        });
        await ApplySourceAsync();

        var root = await ApplyKustomizationAsync("root", "./clusters/root");

        Assert.False(root.IsReady);
        Assert.Equal("BuildFailed", root.ReadyReason);
        Assert.Contains("spec.intervall", root.Conditions.First().Message);
        Assert.Contains($"{Namespace}/apps", root.Conditions.First().Message);
        Assert.False((await KustomizationGrain("apps").GetStatusAsync()).Exists);
    }

    [Fact]
    public async Task Its_own_definition_in_git_becomes_its_spec()
    {
        Repository.Commit(new Dictionary<string, string>
        {
            ["clusters/root/root.yaml"] = Child("root", "./clusters/root").Replace("interval: 10m", "interval: 7m"),
        });
        await ApplySourceAsync();

        await ApplyKustomizationAsync("root", "./clusters/root");

        await Eventually.WaitUntilAsync(async () => (await KustomizationGrain("root").GetStatusAsync()) is { Generation: 2, IsReady: true }, Deadline, "the root to take its definition from Git");
        var spec = (await EventsAsync<KustomizationSpecApplied>("root")).Last().Spec;
        Assert.Equal(TimeSpan.FromMinutes(7), spec.Interval.Value);
    }
}
