using System.Net;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Host;

/// <summary>End to end on a local control plane: resources applied over the API put objects in the cluster, and a trace leads from an object back to its Kustomization, revision and commit.</summary>
public sealed class Cluster_objects_trace_to_the_commit_that_changed_them(LocalKubernetes kubernetes) : HostOnClusterTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_ConfigMap_traces_to_its_Kustomization_and_the_commit_that_last_changed_it()
    {
        var first = Repository.Commit(new Dictionary<string, string>
        {
            ["apps/settings.yaml"] = ConfigMap("settings", "v1"),
            ["apps/stable.yaml"] = ConfigMap("stable", "s"),
        });
        var applied = await ApplyOkAsync($"""
            {GitRepositoryYaml("fleet")}
            ---
            {KustomizationYaml("apps")}
            """);
        var apps = applied["applied"]!.AsArray().Single(r => r!["kind"]!.GetValue<string>() == "Kustomization")!;
        Assert.Equal("True", apps["status"]!["ready"]!.GetValue<string>());
        Assert.Equal($"main@sha1:{first}", apps["status"]!["lastAppliedRevision"]!.GetValue<string>());

        var trace = await TraceAsync("settings");
        Assert.Equal("Kustomization", trace["managedBy"]!["kind"]!.GetValue<string>());
        Assert.Equal($"{Ns}/apps", $"{trace["managedBy"]!["namespace"]}/{trace["managedBy"]!["name"]}");
        Assert.Equal($"main@sha1:{first}", trace["lastChangeRevision"]!.GetValue<string>());
        Assert.Equal(first, trace["source"]!["commit"]!.GetValue<string>());
        Assert.Equal($"GitRepository/{Ns}/fleet", trace["source"]!["sourceRef"]!.GetValue<string>());
        Assert.Equal("gitrepository.artifact-fetched", trace["source"]!["fetched"]!["type"]!.GetValue<string>());
        Assert.Equal("kustomization.applied", trace["lastChange"]!["type"]!.GetValue<string>());
        Assert.Equal("admin", trace["lastChange"]!["actor"]!.GetValue<string>());

        var second = Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "v2") });
        using (var reconcile = await Admin.PostAsync(ResourcePath("Kustomization", "apps", "reconcile") + "?withSource=true", null))
        {
            Assert.Equal(HttpStatusCode.OK, reconcile.StatusCode);
        }

        await Eventually.WaitUntilAsync(async () => (await TraceAsync("settings"))["source"]!["commit"]!.GetValue<string>() == second, Deadline, "the trace of settings to reach the second commit");
        var changed = await TraceAsync("settings");
        Assert.Equal($"main@sha1:{second}", changed["lastChangeRevision"]!.GetValue<string>());
        Assert.Equal(2, changed["events"]!.AsArray().Count(e => e!["type"]!.GetValue<string>() == "kustomization.applied"));

        // stable did not change in the second commit: it still traces to the first.
        var stable = await TraceAsync("stable");
        Assert.Equal(first, stable["source"]!["commit"]!.GetValue<string>());
        Assert.Single(stable["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "kustomization.applied");

        using var unmanaged = await Reader.GetAsync($"/api/v1/audit/trace?apiVersion=v1&kind=ConfigMap&namespace={Target}&name=nobody");
        Assert.Equal(HttpStatusCode.NotFound, unmanaged.StatusCode);
        Assert.Contains($"ConfigMap {Target}/nobody", await unmanaged.Content.ReadAsStringAsync());

        var metrics = await Anonymous.GetStringAsync("/metrics");
        Assert.Contains($"gotk_reconcile_duration_seconds_count{{kind=\"Kustomization\",name=\"apps\",namespace=\"{Ns}\"}}", metrics);
        Assert.Contains($"granary_resource_ready{{kind=\"Kustomization\",name=\"apps\",namespace=\"{Ns}\"}} 1", metrics);
    }

    private async Task<System.Text.Json.Nodes.JsonNode> TraceAsync(string name) =>
        await GetJsonAsync($"/api/v1/audit/trace?cluster=management&apiVersion=v1&kind=ConfigMap&namespace={Target}&name={name}");
}
