using System.Net;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Host;

/// <summary>On a local control plane: a suspended Kustomization holds its objects still, resuming applies what changed meanwhile, deleting prunes.</summary>
public sealed class Kustomizations_are_suspended_resumed_and_deleted_over_the_API(LocalKubernetes kubernetes) : HostOnClusterTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Suspend_holds_changes_back_resume_applies_them_and_delete_prunes_the_objects()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "v1") });
        await ApplyOkAsync($"{GitRepositoryYaml("fleet")}\n---\n{KustomizationYaml("apps")}");
        Assert.Equal("v1", await ConfigMapValueAsync("settings"));
        var listed = (await GetJsonAsync($"/api/v1/resources?kind=Kustomization&namespace={Ns}"))["items"]!.AsArray();
        Assert.Equal(1, Assert.Single(listed)!["inventoryCount"]!.GetValue<int>());

        await PostAsync("suspend?reason=incident-42");
        var second = Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "v2") });
        await PostAsync("reconcile?withSource=true");
        var suspended = await GetJsonAsync(ResourcePath("Kustomization", "apps"));
        Assert.True(suspended["status"]!["suspended"]!.GetValue<bool>());
        Assert.NotEqual($"main@sha1:{second}", suspended["status"]!["lastAppliedRevision"]!.GetValue<string>());
        Assert.Equal("v1", await ConfigMapValueAsync("settings"));

        await PostAsync("resume");
        await Eventually.WaitUntilAsync(async () => await ConfigMapValueAsync("settings") == "v2", Deadline, "the held-back commit to be applied after resume");
        await Eventually.WaitUntilAsync(async () => (await GetJsonAsync(ResourcePath("Kustomization", "apps")))["status"]!["lastAppliedRevision"]!.GetValue<string>() == $"main@sha1:{second}",
            Deadline, "the status to show the second commit");

        using (var delete = await Admin.DeleteAsync(ResourcePath("Kustomization", "apps")))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        Assert.Null(await ConfigMapValueAsync("settings"));
        Assert.Empty((await GetJsonAsync($"/api/v1/resources?kind=Kustomization&namespace={Ns}"))["items"]!.AsArray());
        var types = (await GetJsonAsync(ResourcePath("Kustomization", "apps", "history")))["items"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.Equal("kustomization.spec-applied", types[0]);
        Assert.Equal("resource.deleted", types[^1]);
        Assert.Contains("resource.suspended", types);
        Assert.Contains("resource.resumed", types);
        Assert.Equal(2, types.Count(t => t == "kustomization.applied"));
    }

    private async Task PostAsync(string action)
    {
        using var response = await Admin.PostAsync(ResourcePath("Kustomization", "apps", action), null);
        Assert.True(response.IsSuccessStatusCode, $"{action} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
