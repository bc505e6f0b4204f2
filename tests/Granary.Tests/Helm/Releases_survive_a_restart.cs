using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Releases_survive_a_restart(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private static HelmReleaseSpec RetryOnce(HelmReleaseSpec spec) => spec with
    {
        Upgrade = new HelmUpgrade { Remediation = new HelmUpgradeRemediation { Retries = 1 } },
    };

    [Fact]
    public async Task After_a_restart_an_unchanged_release_appends_nothing_and_a_rollback_reapplies_the_stored_manifest()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0")
        {
            Files = new Dictionary<string, string>
            {
                ["templates/secret.yaml"] = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-token\nstringData:\n  token: {{ .Values.token | quote }}\n",
            },
        });
        Charts.Add(false, new TestChart("demo", "0.3.0") { Files = TestChart.BrokenService });
        await ApplyRepositoryAsync();
        await CreateAsync("Secret", "token", new() { ["token"] = "kept-secret-value" });
        HelmReleaseSpec Spec(HelmReleaseSpec spec) => RetryOnce(spec) with
        {
            ValuesFrom = [new HelmValuesReference { Kind = "Secret", Name = "token", ValuesKey = "token", TargetPath = "token" }],
        };
        Assert.True((await ApplyReleaseAsync("web", "0.1.0", Spec)).IsReady);
        var count = (await ReleaseEventsAsync("web")).Count;

        await Silo.RestartAsync();
        var after = await Release("web").ReconcileAsync();

        Assert.True(after.IsReady, Why(after));
        Assert.Equal(count, (await ReleaseEventsAsync("web")).Count);
        Assert.Equal(1, after.LastRelease);

        // The rendered objects of release 1 are gone from memory: the rollback reads the stored manifest, and keeps the
        // Secret (whose values were never stored) as it is in the cluster.
        await Silo.RestartAsync();
        var failed = await ApplyReleaseAsync("web", "0.3.0", Spec);

        Assert.Contains(failed.Conditions, c => c.Type == "Remediated" && c.Reason == "RollbackSucceeded");
        Assert.Equal("0.1.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());
        var secret = await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Namespace}/secrets/web-token");
        Assert.Equal("kept-secret-value", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret!["data"]!["token"]!.GetValue<string>())));
        Assert.Contains(failed.Inventory, i => i.Contains("web-token", StringComparison.Ordinal));
        var rollback = Assert.Single((await ReleaseEventsAsync("web")).OfType<RolledBack>());
        Assert.Equal((3, 1), (rollback.Release, rollback.ToRelease));
    }
}
