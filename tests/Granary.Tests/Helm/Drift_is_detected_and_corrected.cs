using System.Text.Json.Nodes;
using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Drift_is_detected_and_corrected(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private Task EditByHandAsync(string name) => Cluster.Admin.PatchAsync($"/api/v1/namespaces/{Namespace}/configmaps/{name}", new JsonObject
    {
        ["data"] = new JsonObject { ["greeting"] = "by-hand" },
    });

    [Fact]
    public async Task Mode_enabled_puts_the_release_back_and_records_it_once()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();
        await ApplyReleaseAsync("web", "0.1.0", spec => spec with { DriftDetection = new DriftDetection { Mode = "enabled" } });
        await EditByHandAsync("web-settings");

        await Release("web").ReconcileAsync();

        Assert.Equal("hello", (await ConfigMapDataAsync("web-settings"))!["greeting"]!.GetValue<string>());
        var drift = Assert.Single((await ReleaseEventsAsync("web")).OfType<HelmDriftDetected>());
        Assert.True(drift.Corrected);
        Assert.Equal([$"ConfigMap {Namespace}/web-settings"], drift.Objects);
        await Release("web").ReconcileAsync();
        Assert.Single((await ReleaseEventsAsync("web")).OfType<HelmDriftDetected>());
    }

    [Fact]
    public async Task Mode_warn_reports_drift_without_touching_the_cluster()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();
        await ApplyReleaseAsync("web", "0.1.0", spec => spec with { DriftDetection = new DriftDetection { Mode = "warn" } });
        await EditByHandAsync("web-settings");

        var status = await Release("web").ReconcileAsync();

        Assert.Equal("DriftDetected", status.ReadyReason);
        Assert.Contains("web-settings", status.Conditions.Single(c => c.Type == "Ready").Message);
        Assert.Equal("by-hand", (await ConfigMapDataAsync("web-settings"))!["greeting"]!.GetValue<string>());
        var drift = Assert.Single((await ReleaseEventsAsync("web")).OfType<HelmDriftDetected>());
        Assert.False(drift.Corrected);
        Assert.Equal([$"ConfigMap {Namespace}/web-settings drifted at .data.greeting"], drift.Objects);
        await Release("web").ReconcileAsync();
        Assert.Single((await ReleaseEventsAsync("web")).OfType<HelmDriftDetected>());
    }

    [Fact]
    public async Task Mode_disabled_leaves_changes_alone_and_appends_nothing()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();
        await ApplyReleaseAsync("web", "0.1.0");
        var count = (await ReleaseEventsAsync("web")).Count;
        await EditByHandAsync("web-settings");

        await Release("web").ReconcileAsync();

        Assert.Equal("by-hand", (await ConfigMapDataAsync("web-settings"))!["greeting"]!.GetValue<string>());
        Assert.Equal(count, (await ReleaseEventsAsync("web")).Count);
    }
}
