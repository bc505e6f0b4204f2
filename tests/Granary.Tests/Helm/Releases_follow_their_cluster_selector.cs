using Granary.Contracts.Clusters;
using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing;
using Granary.Testing.Helm;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

/// <summary>
/// A HelmRelease with a clusterSelector installs on every matching Cluster through one member HelmRelease per Cluster (each
/// with its own history); a Cluster that joins gets the release, one that leaves has it uninstalled.
/// </summary>
public sealed class Releases_follow_their_cluster_selector(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private static readonly TimeSpan FleetDeadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_fleet_release_lands_on_matching_clusters_and_follows_joins_and_leaves()
    {
        LocalCluster[] clusters = [Cluster, await SharedControlPlanes.ClusterAsync("secondary"), await SharedControlPlanes.ClusterAsync("fleet-3")];
        var target = $"helm-{Guid.NewGuid():N}"[..20];
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();
        for (var i = 0; i < clusters.Length; i++)
        {
            var kubeconfig = await File.ReadAllTextAsync(clusters[i].WriteKubeconfig(new ClusterUser("admin", clusters[i].AdminToken)));
            await CreateAsync("Secret", $"c{i + 1}", new() { ["value"] = kubeconfig });
            await ApplyClusterAsync($"c{i + 1}", i < 2 ? "prod" : "dev");
        }

        try
        {
            await ApplyReleaseAsync("web", "0.1.0", s => s with
            {
                ClusterSelector = new LabelSelector { MatchLabels = new() { ["env"] = "prod" } },
                TargetNamespace = target,
                ReleaseName = "web",
                Install = new HelmInstall { CreateNamespace = true },
            });

            await Eventually.WaitUntilAsync(async () => (await Release("web").GetStatusAsync()) is { IsReady: true, Clusters.Count: 2 }, FleetDeadline, "the release on both prod clusters");
            Assert.True(await HasReleaseAsync(clusters[0], target));
            Assert.True(await HasReleaseAsync(clusters[1], target));
            Assert.False(await HasReleaseAsync(clusters[2], target));
            var member = Assert.Single((await ReleaseEventsAsync("web.c1")).OfType<ReleaseInstalled>());
            Assert.Equal(1, member.Release);

            // c3 joins, c2 leaves.
            await ApplyClusterAsync("c3", "prod");
            await Eventually.WaitUntilAsync(() => HasReleaseAsync(clusters[2], target), FleetDeadline, "the joining cluster to get the release");
            await ApplyClusterAsync("c2", "dev");
            await Eventually.WaitUntilAsync(async () => (await ReleaseEventsAsync("web")).OfType<HelmFleetMemberRemoved>().Any(), FleetDeadline, "the leaving cluster's member to be removed");
            Assert.False(await HasReleaseAsync(clusters[1], target));
            Assert.False((await Release("web.c2").GetStatusAsync()).Exists);
            await Eventually.WaitUntilAsync(async () => (await Release("web").GetStatusAsync()) is { IsReady: true, Clusters.Count: 2 }, FleetDeadline, "the fleet of c1 and c3 to be Ready");
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                await cluster.Admin.DeleteAsync($"/api/v1/namespaces/{target}");
            }
        }
    }

    private Task<ClusterStatus> ApplyClusterAsync(string name, string env) =>
        Silo.Grains.Get<IClusterGrain>($"{Namespace}/{name}").ApplyAsync(new Granary.Contracts.Resources.Cluster
        {
            ApiVersion = Granary.Contracts.Resources.Cluster.Version,
            Kind = "Cluster",
            Metadata = new ObjectMetadata { Name = name, Namespace = Namespace.Name, Labels = new() { ["env"] = env } },
            Spec = new ClusterSpec { KubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = name } } },
        });

    private static async Task<bool> HasReleaseAsync(LocalCluster cluster, string ns) =>
        await cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/web-settings") is not null;
}
