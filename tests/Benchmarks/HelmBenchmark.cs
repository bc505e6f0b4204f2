using System.Diagnostics;
using System.Text.Json.Nodes;
using Granary.Contracts.Clusters;
using Granary.Contracts.Releases;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Testing;
using Granary.Testing.Helm;
using Granary.Testing.Kubernetes;

namespace Granary.Benchmarks;

/// <summary>
/// HelmReleases across five local control planes (one etcd): 40 releases of one chart with shared values (Deployments with
/// 0 replicas) on each of five Clusters — 200 HelmReleases — from one HelmRepository to Ready. The same release on five
/// clusters with the same capabilities renders once (the silo's render cache), so the install pass reuses 4 of 5 renders;
/// an idle pass then reuses all.
/// </summary>
internal static class HelmBenchmark
{
    private const int Clusters = 5;
    private const int ReleasesPerCluster = 40;
    private const int Releases = Clusters * ReleasesPerCluster;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        using var planes = await LocalControlPlanes.StartAsync();
        var clusters = new List<LocalCluster>();
        for (var c = 1; c <= Clusters; c++)
        {
            clusters.Add(await planes.ClusterAsync($"helm-bench-{c}"));
        }

        var management = clusters[0];
        var work = Directory.CreateTempSubdirectory("granary-helm-bench-").FullName;
        try
        {
            await using var charts = TestHelmRepository.Start();
            charts.Add(false, new TestChart("demo", "1.0.0"));
            await using var ns = await management.CreateNamespaceAsync("bench");
            using var client = new KubernetesClient(KubeconfigLoader.Load(management.KubeconfigPath));
            await using var silo = await HelmSilo.StartAsync(client, work, out var environment);
            for (var c = 0; c < Clusters; c++)
            {
                await clusters[c].Admin.CreateAsync("/api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = $"apps-{ns}" } });
                var kubeconfig = await File.ReadAllTextAsync(clusters[c].WriteKubeconfig(new ClusterUser("admin", clusters[c].AdminToken)));
                await management.Admin.CreateAsync($"/api/v1/namespaces/{ns}/secrets", new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Secret",
                    ["metadata"] = new JsonObject { ["name"] = $"c{c + 1}" },
                    ["stringData"] = new JsonObject { ["value"] = kubeconfig },
                });
                await silo.Grains.Get<IClusterGrain>($"{ns}/c{c + 1}").ApplyAsync(new Cluster
                {
                    ApiVersion = Cluster.Version,
                    Kind = "Cluster",
                    Metadata = new ObjectMetadata { Name = $"c{c + 1}", Namespace = ns.Name },
                    Spec = new ClusterSpec { KubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = $"c{c + 1}" } } },
                });
            }

            await silo.Grains.Get<IHelmRepositoryGrain>($"{ns}/charts").ApplyAsync(new HelmRepository
            {
                ApiVersion = HelmRepository.Version,
                Kind = "HelmRepository",
                Metadata = new ObjectMetadata { Name = "charts", Namespace = ns.Name },
                Spec = new HelmRepositorySpec { Url = charts.Url, Interval = GoDuration.Parse("10m") },
            });

            var clock = Stopwatch.StartNew();
            await Parallel.ForAsync(0, Releases, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, _) =>
                await ApplyReleaseAsync(silo.Grains, ns.Name, i));
            await Eventually.WaitUntilAsync(async () =>
            {
                var statuses = await Task.WhenAll(Enumerable.Range(0, Releases).Select(i => silo.Grains.Get<IHelmReleaseGrain>($"{ns}/{Name(i)}").GetStatusAsync()));
                var failed = statuses.FirstOrDefault(s => s.ReadyReason is not (null or "InstallSucceeded" or "Progressing"));
                return failed is not null
                    ? throw new InvalidOperationException($"A HelmRelease failed: {failed.Conditions.First().Message}")
                    : statuses.All(s => s.IsReady);
            }, Deadline, "200 HelmReleases to be Ready");
            Figures.Print("helmreleases_200_5_clusters_ready_seconds", clock.Elapsed.TotalSeconds, "s");
            for (var c = 0; c < Clusters; c++)
            {
                var deployments = await clusters[c].Admin.GetAsync($"/apis/apps/v1/namespaces/apps-{ns}/deployments");
                var count = (deployments?["items"] as JsonArray)?.Count ?? 0;
                if (count < ReleasesPerCluster)
                {
                    throw new InvalidOperationException($"cluster {c + 1} holds {count} Deployments of its {ReleasesPerCluster} releases");
                }
            }

            var renders = environment.Renders;
            var (hits, misses) = (renders.Hits, renders.Misses);
            Figures.Print("render_cache_hit_ratio", hits / (double)Math.Max(1, hits + misses), "ratio");

            clock.Restart();
            await Parallel.ForAsync(0, Releases, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, _) =>
                await silo.Grains.Get<IHelmReleaseGrain>($"{ns}/{Name(i)}").ReconcileAsync());
            Figures.Print("helmreleases_200_idle_pass_seconds", clock.Elapsed.TotalSeconds, "s");
            Figures.Print("render_cache_hit_ratio_with_idle_pass", renders.Hits / (double)Math.Max(1, renders.Hits + renders.Misses), "ratio");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Name(int i) => $"app-{i % ReleasesPerCluster:00}-c{i / ReleasesPerCluster + 1}";

    /// <summary>Release <c>app-NN</c> in namespace <c>apps-&lt;ns&gt;</c> of Cluster <c>cK</c>: the same release on every cluster.</summary>
    private static Task<HelmReleaseStatus> ApplyReleaseAsync(Granary.Contracts.Grains.IGrainFactory grains, string ns, int i) =>
        grains.Get<IHelmReleaseGrain>($"{ns}/{Name(i)}").ApplyAsync(new HelmRelease
        {
            ApiVersion = HelmRelease.Version,
            Kind = "HelmRelease",
            Metadata = new ObjectMetadata { Name = Name(i), Namespace = ns },
            Spec = new HelmReleaseSpec
            {
                Interval = GoDuration.Parse("10m"),
                ReleaseName = $"app-{i % ReleasesPerCluster:00}",
                TargetNamespace = $"apps-{ns}",
                ClusterRef = new LocalObjectReference { Name = $"c{i / ReleasesPerCluster + 1}" },
                Chart = new HelmChartTemplate
                {
                    Spec = new HelmChartTemplateSpec
                    {
                        Chart = "demo",
                        Version = "1.x",
                        SourceRef = new CrossNamespaceObjectReference { Kind = "HelmRepository", Name = "charts" },
                    },
                },
                Values = System.Text.Json.JsonDocument.Parse("""{"replicas": 0, "greeting": "shared"}""").RootElement.Clone(),
            },
        });
}
