using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Host.Cli;

/// <summary>
/// <c>granary deployed</c> (<c>GET /audit/deployed</c>): after several commits, a window answers exactly the applies and
/// prunes recorded in it for that cluster — with revision, commit and objects — and nothing from before or after it.
/// </summary>
public sealed partial class Deployed_lists_what_reached_a_cluster_in_a_window(LocalKubernetes kubernetes) : HostOnClusterTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Only_the_commits_applied_inside_the_window_are_listed()
    {
        var start = DateTimeOffset.UtcNow;
        var first = Repository.Commit(new Dictionary<string, string> { ["apps/a.yaml"] = ConfigMap("a", "1"), ["apps/b.yaml"] = ConfigMap("b", "1") });
        await ApplyOkAsync($"{GitRepositoryYaml("fleet")}\n---\n{KustomizationYaml("apps")}");
        await AppliedAsync(first);
        var afterFirst = await DatabaseNowAsync();

        var second = Repository.Commit(new Dictionary<string, string> { ["apps/a.yaml"] = ConfigMap("a", "2"), ["apps/c.yaml"] = ConfigMap("c", "2") });
        await ReconcileAsync();
        await AppliedAsync(second);
        var afterSecond = await DatabaseNowAsync();

        Repository.Remove("apps/b.yaml");
        var third = Repository.Commit(new Dictionary<string, string> { ["apps/c.yaml"] = ConfigMap("c", "3") });
        await ReconcileAsync();
        await AppliedAsync(third);
        var afterThird = await DatabaseNowAsync();

        // The window [afterFirst, afterSecond) holds the second commit's apply only.
        var window = await GetJsonAsync($"/api/v1/audit/deployed?cluster=management&since={Uri.EscapeDataString(Iso(afterFirst))}&until={Uri.EscapeDataString(Iso(afterSecond))}");
        var only = Assert.Single(window["items"]!.AsArray())!;
        Assert.Equal($"main@sha1:{second}", only["revision"]!.GetValue<string>());
        Assert.Equal(second, only["commit"]!.GetValue<string>());
        Assert.Equal("management", only["cluster"]!.GetValue<string>());
        Assert.Equal([$"ConfigMap {Target}/a configured", $"ConfigMap {Target}/c created"], Objects(only));
        Assert.Equal("kustomization.applied", only["event"]!["type"]!.GetValue<string>());
        Assert.Equal("admin", only["event"]!["actor"]!.GetValue<string>());

        // From the start on: all three commits, oldest first; the third pruned b.
        var all = (await GetJsonAsync($"/api/v1/audit/deployed?since={Uri.EscapeDataString(Iso(start))}&until={Uri.EscapeDataString(Iso(afterThird))}"))["items"]!.AsArray();
        Assert.Equal([first, second, third], all.Select(d => d!["commit"]!.GetValue<string>()));
        Assert.Equal([$"ConfigMap {Target}/b deleted", $"ConfigMap {Target}/c configured"], Objects(all[2]!));

        // Another cluster had nothing deployed; a window after the last apply is empty.
        Assert.Empty((await GetJsonAsync($"/api/v1/audit/deployed?cluster=prod-eu&since={Uri.EscapeDataString(Iso(start))}"))["items"]!.AsArray());
        Assert.Empty((await GetJsonAsync($"/api/v1/audit/deployed?since={Uri.EscapeDataString(Iso(afterThird))}"))["items"]!.AsArray());

        var table = await RunAsync(ReadToken, "deployed", "--since", Iso(afterFirst), "--until", Iso(afterThird), "--objects");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Equal(
            $"""
            # cluster management, {Time} to {Time}: 2 deployments
            TIME                   RESOURCE                             REVISION                                             COMMIT         OBJECTS                   ACTOR
            {Time}   Kustomization/<ns>/apps   main@sha1:{Commit}   {Commit[..12]}   1 configured, 1 created   admin
                ConfigMap <target>/a configured
                ConfigMap <target>/c created
            {Time}   Kustomization/<ns>/apps   main@sha1:{Commit}   {Commit[..12]}   1 deleted, 1 configured   admin
                ConfigMap <target>/b deleted
                ConfigMap <target>/c configured

            """.ReplaceLineEndings("\n"),
            Times().Replace(Sha().Replace(Normalise(table.Output), Commit[..12]), Time).Replace(Target.ToString(), "<target>"));

        var bad = await RunAsync(ReadToken, "deployed", "--since", "yesterday");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--since: 'yesterday' is neither an ISO 8601 time", bad.Error);
    }

    private async Task ReconcileAsync()
    {
        using var response = await Admin.PostAsync(ResourcePath("Kustomization", "apps", "reconcile") + "?withSource=true", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task AppliedAsync(string commit) => Eventually.WaitUntilAsync(
        async () => (await GetJsonAsync(ResourcePath("Kustomization", "apps")))["status"]!["lastAppliedRevision"]?.GetValue<string>() == $"main@sha1:{commit}",
        Deadline, $"apps to apply commit {commit}");

    /// <summary>The database's clock (events are stamped by it), so window edges fall strictly between events.</summary>
    private async Task<DateTimeOffset> DatabaseNowAsync()
    {
        var now = (await GetJsonAsync(ResourcePath("Kustomization", "apps", "history")))["items"]!.AsArray().Max(e => e!["time"]!.GetValue<DateTimeOffset>());
        return now.AddMilliseconds(1);
    }

    /// <summary>What stands for a time in the table: as wide as one, so columns keep their widths.</summary>
    private const string Time = "yyyy-mm-ddThh:mm:ssZ";

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("O");

    private static string[] Objects(JsonNode deployment) => [.. deployment["objects"]!.AsArray().Select(o => o!.GetValue<string>()).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")]
    private static partial Regex Times();

    [GeneratedRegex(@"(?<=   )[0-9a-f]{12}(?=   )")]
    private static partial Regex Sha();
}
