using System.Diagnostics;
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
/// HelmReleases on a local control plane: 200 releases of one chart with shared values (Deployments with 0 replicas) from
/// one HelmRepository to Ready, then an idle pass; the render reuse ratio counts both passes.
/// </summary>
internal static class HelmBenchmark
{
    private const int Releases = 200;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        using var planes = await LocalControlPlanes.StartAsync();
        var cluster = await planes.ClusterAsync("helm-bench");
        var work = Directory.CreateTempSubdirectory("granary-helm-bench-").FullName;
        try
        {
            await using var charts = TestHelmRepository.Start();
            charts.Add(false, new TestChart("demo", "1.0.0"));
            await using var ns = await cluster.CreateNamespaceAsync("bench");
            using var client = new KubernetesClient(KubeconfigLoader.Load(cluster.KubeconfigPath));
            await using var silo = await HelmSilo.StartAsync(client, work, out var environment);

            await silo.Grains.Get<IHelmRepositoryGrain>($"{ns}/charts").ApplyAsync(new HelmRepository
            {
                ApiVersion = HelmRepository.Version,
                Kind = "HelmRepository",
                Metadata = new ObjectMetadata { Name = "charts", Namespace = ns.Name },
                Spec = new HelmRepositorySpec { Url = charts.Url, Interval = GoDuration.Parse("10m") },
            });

            var clock = Stopwatch.StartNew();
            await Parallel.ForAsync(0, Releases, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, _) =>
                await ApplyReleaseAsync(silo.Grains, ns.Name, $"app-{i:000}"));
            await Eventually.WaitUntilAsync(async () =>
            {
                var statuses = await Task.WhenAll(Enumerable.Range(0, Releases).Select(i => silo.Grains.Get<IHelmReleaseGrain>($"{ns}/app-{i:000}").GetStatusAsync()));
                var failed = statuses.FirstOrDefault(s => s.ReadyReason is not (null or "InstallSucceeded" or "Progressing"));
                return failed is not null
                    ? throw new InvalidOperationException($"A HelmRelease failed: {failed.Conditions.First().Message}")
                    : statuses.All(s => s.IsReady);
            }, Deadline, "200 HelmReleases to be Ready");
            Figures.Print("helmreleases_200_ready_seconds", clock.Elapsed.TotalSeconds, "s");

            clock.Restart();
            await Parallel.ForAsync(0, Releases, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, _) =>
                await silo.Grains.Get<IHelmReleaseGrain>($"{ns}/app-{i:000}").ReconcileAsync());
            Figures.Print("helmreleases_200_idle_pass_seconds", clock.Elapsed.TotalSeconds, "s");
            var renders = environment.Renders;
            Figures.Print("render_cache_hit_ratio", renders.Hits / (double)Math.Max(1, renders.Hits + renders.Misses), "ratio");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static Task<HelmReleaseStatus> ApplyReleaseAsync(Granary.Contracts.Grains.IGrainFactory grains, string ns, string name) =>
        grains.Get<IHelmReleaseGrain>($"{ns}/{name}").ApplyAsync(new HelmRelease
        {
            ApiVersion = HelmRelease.Version,
            Kind = "HelmRelease",
            Metadata = new ObjectMetadata { Name = name, Namespace = ns },
            Spec = new HelmReleaseSpec
            {
                Interval = GoDuration.Parse("10m"),
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
