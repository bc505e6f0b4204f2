using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class HelmReleases_install_upgrade_and_remediate(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private static HelmReleaseSpec RetryOnce(HelmReleaseSpec spec) => spec with
    {
        Upgrade = new HelmUpgrade { Remediation = new HelmUpgradeRemediation { Retries = 1 } },
    };

    [Fact]
    public async Task Install_upgrade_failed_upgrade_rollback_and_uninstall_are_recorded_as_history()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"), new TestChart("demo", "0.2.0", "2.0.0"));
        await ApplyRepositoryAsync();

        // Install.
        var installed = await ApplyReleaseAsync("web", "0.1.0", RetryOnce);
        Assert.True(installed.IsReady, Why(installed));
        Assert.Equal("InstallSucceeded", installed.ReadyReason);
        Assert.Equal("0.1.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());
        var install = Assert.Single((await ReleaseEventsAsync("web")).OfType<ReleaseInstalled>());
        Assert.Equal(1, install.Release);
        Assert.Equal([$"ConfigMap {Namespace}/web-settings", $"Deployment.apps {Namespace}/web-app"], installed.Inventory.Select(Describe).Order());
        Assert.NotNull(await Silo.Silo.EventStore.Blobs.GetAsync(install.Content.ManifestDigest));

        // Nothing changed: nothing is appended.
        var quiet = (await ReleaseEventsAsync("web")).Count;
        await Release("web").ReconcileAsync();
        await Release("web").ReconcileAsync();
        Assert.Equal(quiet, (await ReleaseEventsAsync("web")).Count);

        // Upgrade.
        var upgraded = await ApplyReleaseAsync("web", "0.2.0", RetryOnce);
        Assert.True(upgraded.IsReady, Why(upgraded));
        Assert.Equal("UpgradeSucceeded", upgraded.ReadyReason);
        Assert.Equal(2, Assert.Single((await ReleaseEventsAsync("web")).OfType<ReleaseUpgraded>()).Release);
        Assert.Equal("0.2.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());

        // A failing upgrade is rolled back to release 2, retried once, rolled back again, then given up.
        Charts.Add(false, new TestChart("demo", "0.3.0") { Files = TestChart.BrokenService });
        await Repository().ReconcileAsync();
        var failed = await ApplyReleaseAsync("web", "0.3.0", RetryOnce);
        Assert.False(failed.IsReady);
        Assert.Equal("UpgradeFailed", failed.ReadyReason);
        Assert.Contains(failed.Conditions, c => c.Type == "Remediated" && c.Reason == "RollbackSucceeded");
        Assert.Contains(failed.Conditions, c => c.Type == "Reconciling");
        var rollback = Assert.Single((await ReleaseEventsAsync("web")).OfType<RolledBack>());
        Assert.Equal((4, 2), (rollback.Release, rollback.ToRelease));
        Assert.Equal("0.2.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());
        Assert.Null(await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Namespace}/services/web-broken"));

        var exhausted = await Release("web").ReconcileAsync();
        Assert.Contains(exhausted.Conditions, c => c.Type == "Stalled" && c.Reason == "RetriesExceeded");
        Assert.Equal(2, exhausted.UpgradeFailures);
        var events = await ReleaseEventsAsync("web");
        Assert.Equal(2, events.OfType<UpgradeFailed>().Count());
        Assert.Equal(2, events.OfType<RolledBack>().Count());
        Assert.Single(events.OfType<RemediationExhausted>());
        Assert.Contains("99999", events.OfType<UpgradeFailed>().First().Message);

        await Release("web").ReconcileAsync();
        Assert.Equal(events.Count, (await ReleaseEventsAsync("web")).Count);

        var history = await Release("web").GetHistoryAsync();
        Assert.Equal(
            ["1 superseded demo-0.1.0 Install complete", "2 superseded demo-0.2.0 Upgrade complete", "3 failed demo-0.3.0", "4 superseded demo-0.2.0 Rollback to 2", "5 failed demo-0.3.0", "6 deployed demo-0.2.0 Rollback to 4"],
            history.Select(h => h.Status == "failed" ? $"{h.Revision} {h.Status} {h.Chart}" : $"{h.Revision} {h.Status} {h.Chart} {h.Description}"));
        Assert.StartsWith("Upgrade \"demo\" failed:", history[2].Description);
        Assert.Equal("2.0.0", history[1].AppVersion);

        // Asking for what is deployed clears the failure.
        var settled = await ApplyReleaseAsync("web", "0.2.0", RetryOnce);
        Assert.True(settled.IsReady, Why(settled));

        // Uninstall.
        await Release("web").DeleteAsync();
        Assert.Null(await ConfigMapDataAsync("web-settings"));
        var uninstalled = Assert.Single((await ReleaseEventsAsync("web")).OfType<Uninstalled>());
        Assert.Contains($"ConfigMap {Namespace}/web-settings", uninstalled.Objects);
        Assert.False((await Release("web").GetStatusAsync()).Exists);
    }

    [Fact]
    public async Task A_failed_install_is_uninstalled_and_retried_until_the_retries_run_out()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0") { Files = TestChart.BrokenService });
        await ApplyRepositoryAsync();

        var first = await ApplyReleaseAsync("api", "0.1.0", spec => spec with { Install = new HelmInstall { Remediation = new HelmInstallRemediation { Retries = 1 } } });

        Assert.Equal("InstallFailed", first.ReadyReason);
        Assert.Contains(first.Conditions, c => c.Type == "Remediated" && c.Reason == "UninstallSucceeded");
        Assert.Null(await ConfigMapDataAsync("api-settings"));
        Assert.Empty(first.Inventory);

        var second = await Release("api").ReconcileAsync();
        Assert.Contains(second.Conditions, c => c.Type == "Stalled" && c.Reason == "RetriesExceeded");
        var events = await ReleaseEventsAsync("api");
        Assert.Equal(["install", "install"], events.OfType<UpgradeFailed>().Select(f => f.Action));
        Assert.Equal(2, events.OfType<Uninstalled>().Count());
        Assert.Single(events.OfType<RemediationExhausted>());

        // A fixed chart is new input: it installs.
        Charts.Add(false, new TestChart("demo", "0.1.1"));
        await Repository().ReconcileAsync();
        var fixedRelease = await ApplyReleaseAsync("api", "0.1.x", spec => spec with { Install = new HelmInstall { Remediation = new HelmInstallRemediation { Retries = 1 } } });
        Assert.True(fixedRelease.IsReady, Why(fixedRelease));
        Assert.Equal(3, fixedRelease.LastRelease);
    }

    [Fact]
    public async Task The_uninstall_strategy_removes_a_failed_upgrade_and_the_next_reconcile_installs_again()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"), new TestChart("demo", "0.2.0") { Files = TestChart.BrokenService });
        await ApplyRepositoryAsync();
        static HelmReleaseSpec Uninstall(HelmReleaseSpec spec) => spec with
        {
            Upgrade = new HelmUpgrade { Remediation = new HelmUpgradeRemediation { Retries = 2, Strategy = "uninstall" } },
        };
        Assert.True((await ApplyReleaseAsync("db", "0.1.0", Uninstall)).IsReady);

        var failed = await ApplyReleaseAsync("db", "0.2.0", Uninstall);

        Assert.Contains(failed.Conditions, c => c.Type == "Remediated" && c.Reason == "UninstallSucceeded");
        Assert.Null(await ConfigMapDataAsync("db-settings"));
        Assert.Single((await ReleaseEventsAsync("db")).OfType<Uninstalled>());
        Assert.Equal("uninstalled", (await Release("db").GetHistoryAsync())[0].Status);
    }

    [Fact]
    public async Task A_new_index_with_a_matching_version_upgrades_the_release_by_itself()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0"));
        await ApplyRepositoryAsync();
        Assert.True((await ApplyReleaseAsync("auto", "1.x")).IsReady);

        Charts.Add(false, new TestChart("demo", "1.1.0"));
        await Repository().ReconcileAsync();

        await Granary.Testing.Eventually.WaitUntilAsync(async () => (await Release("auto").GetStatusAsync()).LastAppliedRevision == "1.1.0", Deadline, "the release to follow the new chart version");
        Assert.Equal("1.1.0", (await ConfigMapDataAsync("auto-settings"))!["chartVersion"]!.GetValue<string>());
    }

    private static string Describe(string inventoryId)
    {
        // Flux inventory ids: <namespace>_<name>_<group>_<Kind>
        var parts = inventoryId.Split('_');
        var group = parts[2].Length == 0 ? string.Empty : "." + parts[2];
        return $"{parts[3]}{group} {parts[0]}/{parts[1]}";
    }
}
