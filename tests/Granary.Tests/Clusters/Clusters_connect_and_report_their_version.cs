using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Clusters;

public sealed class Clusters_connect_and_report_their_version(LocalKubernetes kubernetes) : FleetTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_kubeconfig_Secret_connects_and_repeated_probes_record_nothing()
    {
        var target = await SecondClusterAsync();
        await WriteKubeconfigSecretAsync("secondary-kubeconfig", target);

        var status = await ApplyClusterAsync("secondary", KubeConfigSpec("secondary-kubeconfig"));
        for (var i = 0; i < 3; i++)
        {
            status = await ClusterGrain("secondary").ReconcileAsync();
        }

        Assert.True(status.IsReady, Ready(status).Message);
        Assert.Equal("Connected", Ready(status).Reason);
        Assert.Equal("v1.20.2", status.ServerVersion);
        Assert.Equal(target.Server.ToString(), status.Server);
        Assert.Single((await ClusterEventsAsync("secondary")).OfType<ClusterConnected>());
        Assert.Equal(0L, await CountStoredRowsContainingAsync(target.AdminToken));
    }

    [Fact]
    public async Task An_endpoint_with_a_token_and_CA_Secret_connects()
    {
        var target = await SecondClusterAsync();
        await WriteSecretAsync("secondary-token", new() { ["token"] = target.AdminToken, ["ca.crt"] = target.CaPem });

        var status = await ApplyClusterAsync("secondary", new ClusterSpec
        {
            Endpoint = target.Server.GetLeftPart(UriPartial.Authority),
            SecretRef = new LocalObjectReference { Name = "secondary-token" },
        });

        Assert.True(status.IsReady, Ready(status).Message);
        Assert.Equal("v1.20.2", status.ServerVersion);
        Assert.Equal(0L, await CountStoredRowsContainingAsync(target.AdminToken));
    }
}
