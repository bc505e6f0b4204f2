using Granary.Contracts.Events;
using Granary.Testing;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Clusters;

public sealed class An_unreachable_cluster_is_recorded_once_and_recovers(LocalKubernetes kubernetes) : FleetTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_cut_cluster_is_Unreachable_once_naming_the_server_and_Connected_again_after_recovery()
    {
        await using var proxy = await FaultProxy.StartAsync(Management);
        await WriteKubeconfigSecretAsync("proxied", Management, proxy.Url);
        var connected = await ApplyClusterAsync("proxied", KubeConfigSpec("proxied", interval: "1s"));
        Assert.True(connected.IsReady, Ready(connected).Message);

        using (proxy.Inject(Fault.DropConnection()))
        {
            await Eventually.WaitUntilAsync(async () => !(await ClusterGrain("proxied").GetStatusAsync()).IsReady, Deadline, "the cluster to be reported unreachable");
            var seen = proxy.Requests.Count;
            // Several more failed probes (two attempts each) must not add events.
            await Eventually.WaitUntilAsync(() => proxy.Requests.Count >= seen + 6, Deadline, "three more probes of the cut cluster");

            var down = await ClusterGrain("proxied").GetStatusAsync();
            Assert.Equal("Unreachable", Ready(down).Reason);
            Assert.Contains($"https://127.0.0.1:{proxy.Url.Port}", Ready(down).Message);
            Assert.DoesNotContain(Management.AdminToken, Ready(down).Message);
            Assert.Equal("v1.20.2", down.ServerVersion); // the last known version stays visible
            Assert.Single((await ClusterEventsAsync("proxied")).OfType<ClusterUnreachable>());
        }

        await Eventually.WaitUntilAsync(async () => (await ClusterGrain("proxied").GetStatusAsync()).IsReady, Deadline, "the cluster to be connected again");
        var history = (await ClusterEventsAsync("proxied")).Where(e => e is ClusterConnected or ClusterUnreachable).Select(e => e.GetType().Name);
        Assert.Equal(["ClusterConnected", "ClusterUnreachable", "ClusterConnected"], history);
        Assert.Equal(0L, await CountStoredRowsContainingAsync(Management.AdminToken));
    }

    [Fact]
    public async Task A_failing_readyz_is_ServerNotReady_and_clears_when_it_passes()
    {
        await using var proxy = await FaultProxy.StartAsync(Management);
        await WriteKubeconfigSecretAsync("proxied", Management, proxy.Url);

        using (proxy.Inject(Fault.Status(System.Net.HttpStatusCode.InternalServerError), FaultScope.Path("^/readyz")))
        {
            var notReady = await ApplyClusterAsync("proxied", KubeConfigSpec("proxied"));

            Assert.Equal("ServerNotReady", Ready(notReady).Reason);
            Assert.Contains("/readyz", Ready(notReady).Message);
            Assert.Null(notReady.ServerVersion);
        }

        var ready = await ClusterGrain("proxied").ReconcileAsync();
        Assert.True(ready.IsReady, Ready(ready).Message);
        Assert.Contains(proxy.Requests, r => r.PathAndQuery == "/readyz" && r.Fault is null);
    }
}
