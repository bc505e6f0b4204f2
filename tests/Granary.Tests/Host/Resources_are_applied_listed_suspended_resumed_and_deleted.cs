using System.Net;
using System.Text.Json.Nodes;
using Granary.Testing;

namespace Granary.Tests.Host;

public sealed class Resources_are_applied_listed_suspended_resumed_and_deleted : HostTestBase
{
    [Fact]
    public async Task A_GitRepository_goes_through_its_whole_life_over_the_API()
    {
        var applied = await ApplyOkAsync($"{GitRepositoryYaml("fleet")}\n---\n{GitRepositoryYaml("other", "5m")}");
        Assert.Equal(2, applied["applied"]!.AsArray().Count);

        var fleet = await GetJsonAsync(ResourcePath("GitRepository", "fleet"));
        Assert.Equal("GitRepository", fleet["kind"]!.GetValue<string>());
        Assert.Equal("source.toolkit.fluxcd.io/v1", fleet["apiVersion"]!.GetValue<string>());
        Assert.Equal(1, fleet["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal("True", fleet["status"]!["ready"]!.GetValue<string>());
        Assert.Equal($"main@sha1:{Repository.Head()}", fleet["status"]!["artifact"]!["revision"]!.GetValue<string>());
        Assert.Equal("10m0s", fleet["spec"]!["interval"]!.GetValue<string>());

        // The list is a read model fed from the event feed: poll until it has caught up.
        await Eventually.WaitUntilAsync(async () => (await ListAsync($"?kind=GitRepository&namespace={Ns}&ready=true")).Count == 2, Deadline, "both repositories listed as ready");
        Assert.Empty(await ListAsync("?ready=false"));
        Assert.Empty(await ListAsync("?namespace=elsewhere"));
        Assert.Equal(2, (await ListAsync("?kind=gitrepositories")).Count);

        var suspended = await PostJsonAsync(ResourcePath("GitRepository", "fleet", "suspend") + "?reason=maintenance%20window");
        Assert.True(suspended["status"]!["suspended"]!.GetValue<bool>());
        var row = (await ListAsync($"?namespace={Ns}")).Single(r => r!["name"]!.GetValue<string>() == "fleet")!;
        Assert.True(row["suspended"]!.GetValue<bool>());

        var resumed = await PostJsonAsync(ResourcePath("GitRepository", "fleet", "resume"));
        Assert.False(resumed["status"]!["suspended"]!.GetValue<bool>());

        var reconciled = await PostJsonAsync(ResourcePath("GitRepository", "fleet", "reconcile") + "?withSource=true");
        Assert.Equal("True", reconciled["status"]!["ready"]!.GetValue<string>());

        using (var delete = await Admin.DeleteAsync(ResourcePath("GitRepository", "fleet")))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        using (var gone = await Reader.GetAsync(ResourcePath("GitRepository", "fleet")))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.Equal(["other"], (await ListAsync($"?namespace={Ns}")).Select(r => r!["name"]!.GetValue<string>()));
        var history = (await GetJsonAsync(ResourcePath("GitRepository", "fleet", "history")))["items"]!.AsArray();
        var types = history.Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["gitrepository.spec-applied", "gitrepository.artifact-fetched", "resource.suspended", "resource.resumed", "resource.reconcile-requested", "resource.deleted"], types);
        var suspendEntry = history.Single(e => e!["type"]!.GetValue<string>() == "resource.suspended")!;
        Assert.Equal("suspended: maintenance window", suspendEntry["summary"]!.GetValue<string>());
        Assert.Equal("admin", suspendEntry["actor"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(suspendEntry["correlationId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Acting_on_a_resource_that_does_not_exist_is_404_naming_it()
    {
        using var response = await Admin.PostAsync(ResourcePath("Kustomization", "missing", "suspend"), null);
        using var unknownKind = await Reader.GetAsync($"/api/v1/resources/Bucket/{Ns}/x");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains($"Kustomization {Ns}/missing does not exist", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknownKind.StatusCode);
        var kinds = await unknownKind.Content.ReadAsStringAsync();
        Assert.Contains("use one of", kinds);
        Assert.All(new[] { "GitRepository", "Kustomization", "HelmRepository", "HelmChart", "OCIRepository", "HelmRelease", "Cluster" }, kind => Assert.Contains(kind, kinds));
    }

    [Fact]
    public async Task A_client_correlation_id_is_recorded_on_the_events_it_causes()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));
        using var request = new HttpRequestMessage(HttpMethod.Post, ResourcePath("GitRepository", "fleet", "suspend"));
        request.Headers.Add("X-Correlation-ID", "change-4711");
        using var response = await Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("change-4711", response.Headers.GetValues("X-Correlation-ID").Single());
        var history = (await GetJsonAsync(ResourcePath("GitRepository", "fleet", "history")))["items"]!.AsArray();
        Assert.Equal("change-4711", history[^1]!["correlationId"]!.GetValue<string>());
    }

    private async Task<JsonArray> ListAsync(string query) => (await GetJsonAsync("/api/v1/resources" + query))["items"]!.AsArray();

    private async Task<JsonNode> PostJsonAsync(string path)
    {
        using var response = await Admin.PostAsync(path, null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }
}
