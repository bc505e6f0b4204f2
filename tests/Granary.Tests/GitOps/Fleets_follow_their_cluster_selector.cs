using Granary.Contracts.Clusters;
using Granary.Contracts.Events;
using Granary.Testing;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.GitOps;

/// <summary>
/// A Kustomization with a clusterSelector applies to every matching Cluster of five local clusters: an unreachable one fails
/// alone while the others converge, a Cluster that joins the selection receives the objects, one that leaves is pruned.
/// </summary>
public sealed class Fleets_follow_their_cluster_selector(LocalKubernetes kubernetes) : GitOpsTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private static readonly TimeSpan FleetDeadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Five_clusters_converge_around_an_unreachable_one_and_follow_joins_and_leaves()
    {
        LocalCluster[] clusters =
        [
            Cluster, await OtherClusterAsync("secondary"), await OtherClusterAsync("fleet-3"), await OtherClusterAsync("fleet-4"), await OtherClusterAsync("fleet-5"),
        ];
        var target = $"fleet-{Guid.NewGuid():N}"[..20];
        Repository.Commit(new Dictionary<string, string>
        {
            ["fleet/namespace.yaml"] = $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {target}\n",
            ["fleet/config.yaml"] = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {target}\ndata:\n  value: \"v1\"\n",
        });
        await using var proxy = await FaultProxy.StartAsync(clusters[2]);
        for (var i = 0; i < clusters.Length; i++)
        {
            await WriteKubeconfigSecretAsync($"c{i + 1}", clusters[i], i == 2 ? proxy.Url : null);
            await ApplyClusterAsync($"c{i + 1}", new() { ["env"] = i < 4 ? "prod" : "dev" });
        }

        await ApplySourceAsync();
        try
        {
            using (proxy.Inject(Fault.DropConnection()))
            {
                await ApplyKustomizationAsync("fleet", "./fleet", s => s with
                {
                    TargetNamespace = null,
                    ClusterSelector = new LabelSelector { MatchLabels = new() { ["env"] = "prod" } },
                });

                await Eventually.WaitUntilAsync(async () => (await FleetAsync()).Clusters is { Count: 4 } members && members.Count(m => m.Ready) == 3,
                    FleetDeadline, "three of the four prod clusters to converge around the unreachable one");
                var partial = await FleetAsync();
                var cut = Assert.Single(partial.Clusters!, c => !c.Ready);
                Assert.Equal($"{Namespace}/c3", cut.Cluster);
                Assert.False(partial.IsReady);
                Assert.Contains("1 of 4 clusters failed", partial.Conditions.First().Message);
                Assert.Contains($"{Namespace}/c3", partial.Conditions.First().Message);
                foreach (var i in new[] { 0, 1, 3 })
                {
                    Assert.Equal("v1", await ValueAsync(clusters[i], target));
                }

                Assert.Null(await ValueAsync(clusters[4], target));
            }

            // The cut cluster recovers on the retry interval.
            await Eventually.WaitUntilAsync(async () => (await FleetAsync()).IsReady, FleetDeadline, "the fleet to be Ready once the cluster is reachable");
            Assert.Equal("v1", await ValueAsync(clusters[2], target));

            // c5 joins the selection: it receives the objects without a new commit.
            await ApplyClusterAsync("c5", new() { ["env"] = "prod" });
            await Eventually.WaitUntilAsync(async () => await ValueAsync(clusters[4], target) == "v1", FleetDeadline, "the joining cluster to receive the objects");

            // c2 leaves it: what was applied there is pruned and the Cluster released.
            await ApplyClusterAsync("c2", new() { ["env"] = "dev" });
            await Eventually.WaitUntilAsync(async () => (await EventsAsync<ClusterReleased>("fleet")).Count > 0, FleetDeadline, "the leaving cluster to be released");
            Assert.Null(await ValueAsync(clusters[1], target));
            var released = Assert.Single(await EventsAsync<ClusterReleased>("fleet"));
            Assert.Equal($"{Namespace}/c2", released.Cluster);
            Assert.Null(released.Problem);

            await Eventually.WaitUntilAsync(async () => (await FleetAsync()) is { IsReady: true, Clusters.Count: 4 }, FleetDeadline, "the fleet of four to be Ready");
            var applied = await EventsAsync<Applied>("fleet");
            Assert.All(applied, a => Assert.NotNull(a.Cluster));
            Assert.Equal(5, applied.Select(a => a.Cluster).Distinct().Count());
            Assert.Contains(await EventsAsync<ApplyFailed>("fleet"), f => f.Cluster == $"{Namespace}/c3");
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                await cluster.Admin.DeleteAsync($"/api/v1/namespaces/{target}");
            }
        }
    }

    private Task<Granary.Contracts.Deployments.DeploymentStatus> FleetAsync() => KustomizationGrain("fleet").GetStatusAsync();

    private static async Task<string?> ValueAsync(LocalCluster cluster, string ns) =>
        (await cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/settings"))?["data"]?["value"]?.GetValue<string>();
}
