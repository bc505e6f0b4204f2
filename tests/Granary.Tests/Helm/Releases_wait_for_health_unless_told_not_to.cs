using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

/// <summary>No node runs Pods in this namespace, so a Deployment with replicas never becomes ready.</summary>
public sealed class Releases_wait_for_health_unless_told_not_to(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private static HelmReleaseSpec OneReplica(HelmReleaseSpec spec) => spec with
    {
        Timeout = GoDuration.Parse("2s"),
        Values = Values("""{"replicas": 1}"""),
    };

    [Fact]
    public async Task An_install_whose_deployment_never_becomes_ready_fails_its_health_check()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();

        var status = await ApplyReleaseAsync("web", "0.1.0", OneReplica);

        Assert.Equal("InstallFailed", status.ReadyReason);
        Assert.Contains("Health check failed", status.Conditions.Single(c => c.Type == "Ready").Message);
        var failed = Assert.Single((await ReleaseEventsAsync("web")).OfType<UpgradeFailed>());
        Assert.Equal("install", failed.Action);
        Assert.Contains("web-app", failed.Message);
    }

    [Fact]
    public async Task With_disableWait_the_install_succeeds_once_applied()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();

        var status = await ApplyReleaseAsync("web", "0.1.0", spec => OneReplica(spec) with { Install = new HelmInstall { DisableWait = true } });

        Assert.True(status.IsReady, Why(status));
    }
}
