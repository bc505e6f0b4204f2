using Granary.Contracts.Clusters;
using Granary.Contracts.Events;
using Granary.Testing;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Clusters;

public sealed class Clusters_survive_restarts_and_suspension(LocalKubernetes kubernetes) : FleetTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task After_a_silo_restart_the_status_and_the_fleet_come_back_from_the_log_without_new_events()
    {
        await WriteKubeconfigSecretAsync("primary", Management);
        var before = await ApplyClusterAsync("primary", KubeConfigSpec("primary"), new() { ["env"] = "prod" });
        var events = (await ClusterEventsAsync("primary")).Count;

        await Silo.RestartAsync();
        var after = await ClusterGrain("primary").ReconcileAsync();
        var fleet = await Directory.SelectAsync(new LabelSelector { MatchLabels = new() { ["env"] = "prod" } });

        Assert.True(after.IsReady, Ready(after).Message);
        Assert.Equal(before.ServerVersion, after.ServerVersion);
        Assert.Equal(Ready(before).LastTransitionTime, Ready(after).LastTransitionTime);
        Assert.Equal(events, (await ClusterEventsAsync("primary")).Count);
        Assert.Equal([$"{Namespace}/primary"], fleet);
    }

    [Fact]
    public async Task A_suspended_Cluster_is_not_probed_until_resumed()
    {
        await using var proxy = await FaultProxy.StartAsync(Management);
        await WriteKubeconfigSecretAsync("proxied", Management, proxy.Url);
        await ApplyClusterAsync("proxied", KubeConfigSpec("proxied"));
        await ClusterGrain("proxied").SuspendAsync("maintenance window");
        using var cut = proxy.Inject(Fault.DropConnection());
        var seen = proxy.Requests.Count;

        var suspended = await ClusterGrain("proxied").ReconcileAsync();
        Assert.True(suspended.Suspended);
        Assert.True(suspended.IsReady); // nothing was probed, so the last finding stands
        Assert.Equal(seen, proxy.Requests.Count);

        await ClusterGrain("proxied").ResumeAsync();
        await Eventually.WaitUntilAsync(async () => !(await ClusterGrain("proxied").GetStatusAsync()).IsReady, Deadline, "the resumed cluster to be probed");
        var history = await ClusterEventsAsync("proxied");
        Assert.Contains(history, e => e is Suspended { Reason: "maintenance window" });
        Assert.Single(history.OfType<ClusterUnreachable>());
    }
}
