using System.Text;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Host.Cli;

/// <summary>
/// <c>granary diff kustomization</c>, like <c>flux diff kustomization</c>: a new commit not yet applied shows as a created
/// object, a configured one with its changed field, a Secret change masked and a pruned object, with exit code 1 — and the
/// diff records no event and changes nothing in the cluster; once applied, no differences and exit code 0.
/// </summary>
public sealed class Diff_shows_what_applying_would_change_and_changes_nothing(LocalKubernetes kubernetes) : HostOnClusterTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private const string OldPassword = "old-pass-5b1e07";
    private const string NewPassword = "new-pass-c93a44";

    [Fact]
    public async Task A_changed_field_a_new_object_a_secret_and_a_prune_then_nothing_after_apply()
    {
        var first = Repository.Commit(new Dictionary<string, string>
        {
            ["apps/settings.yaml"] = ConfigMap("settings", "v1"),
            ["apps/stays.yaml"] = ConfigMap("stays", "s"),
            ["apps/db.yaml"] = Secret(OldPassword),
        });
        await ApplyOkAsync($"{GitRepositoryYaml("fleet")}\n---\n{KustomizationYaml("apps")}");
        await AppliedAsync(first);

        var same = await RunAsync(AdminToken, "diff", "kustomization", "apps", "-n", Ns);
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Equal($"no changes at revision main@sha1:{Commit}: 0 created, 0 configured, 0 deleted, 0 failed, 3 unchanged\n", Normalise(same.Output));

        // The next commit reaches the source, but the suspended Kustomization does not apply it.
        using (var suspend = await Admin.PostAsync(ResourcePath("Kustomization", "apps", "suspend"), null))
        {
            Assert.True(suspend.IsSuccessStatusCode);
        }

        Repository.Remove("apps/stays.yaml");
        var second = Repository.Commit(new Dictionary<string, string>
        {
            ["apps/settings.yaml"] = ConfigMap("settings", "v2"),
            ["apps/added.yaml"] = ConfigMap("added", "new"),
            ["apps/db.yaml"] = Secret(NewPassword),
        });
        using (var fetch = await Admin.PostAsync(ResourcePath("GitRepository", "fleet", "reconcile"), null))
        {
            Assert.True(fetch.IsSuccessStatusCode);
        }

        await Eventually.WaitUntilAsync(async () => (await GetJsonAsync(ResourcePath("GitRepository", "fleet")))["status"]!["artifact"]!["revision"]!.GetValue<string>() == $"main@sha1:{second}",
            Deadline, "the source to fetch the second commit");
        var versionBefore = await VersionAsync();

        var diff = await RunAsync(AdminToken, "diff", "kustomization", "apps", "-n", Ns);

        Assert.True(diff.ExitCode == 1, diff.ToString());
        Assert.Equal(
            $"""
            ► ConfigMap/<target>/added created
            ► ConfigMap/<target>/settings configured
              .data.value
                - "v1"
                + "v2"
            ► ConfigMap/<target>/stays deleted
            ► Secret/<target>/db configured
              .data.password
                - "***"
                + "*** (changed)"
            changes at revision main@sha1:{Commit}: 1 created, 2 configured, 1 deleted, 0 failed, 0 unchanged

            """.ReplaceLineEndings("\n"),
            Normalise(diff.Output).Replace(Target.ToString(), "<target>"));
        foreach (var secret in new[] { OldPassword, NewPassword })
        {
            Assert.DoesNotContain(secret, diff.Output);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), diff.Output);
        }

        // Nothing was recorded, nothing in the cluster changed.
        Assert.Equal(versionBefore, await VersionAsync());
        Assert.Equal("v1", await ConfigMapValueAsync("settings"));
        Assert.Null(await ConfigMapValueAsync("added"));
        Assert.Equal("s", await ConfigMapValueAsync("stays"));

        var json = await RunAsync(AdminToken, "diff", "kustomization", "apps", "-n", Ns, "-o", "json");
        Assert.Equal(1, json.ExitCode);
        Assert.Contains("\"action\": \"configured\"", json.Output);

        var reader = await RunAsync(ReadToken, "diff", "kustomization", "apps", "-n", Ns);
        Assert.Equal(1, reader.ExitCode);
        Assert.Contains("needs a token with role admin", reader.Error);

        using (var resume = await Admin.PostAsync(ResourcePath("Kustomization", "apps", "resume"), null))
        {
            Assert.True(resume.IsSuccessStatusCode);
        }

        await AppliedAsync(second);
        var applied = await RunAsync(AdminToken, "diff", "kustomization", "apps", "-n", Ns);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal($"no changes at revision main@sha1:{Commit}: 0 created, 0 configured, 0 deleted, 0 failed, 3 unchanged\n", Normalise(applied.Output));
    }

    private Task AppliedAsync(string commit) => Eventually.WaitUntilAsync(
        async () => (await GetJsonAsync(ResourcePath("Kustomization", "apps")))["status"]!["lastAppliedRevision"]?.GetValue<string>() == $"main@sha1:{commit}",
        Deadline, $"apps to apply commit {commit}");

    private async Task<long> VersionAsync() => (await GetJsonAsync(ResourcePath("Kustomization", "apps")))["version"]!.GetValue<long>();

    private static string Secret(string password) => $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {password}\n";
}
