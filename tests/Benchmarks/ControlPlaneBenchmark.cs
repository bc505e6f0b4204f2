using System.Diagnostics;
using Granary.Testing;
using Granary.Testing.Kubernetes;

namespace Granary.Benchmarks;

/// <summary>What local Kubernetes control planes cost: start time and resident memory with one and with three clusters.</summary>
internal static class ControlPlaneBenchmark
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var planes = await LocalControlPlanes.StartAsync();
        Figures.Print("kubernetes_bootstrap_check_and_etcd_start_s", clock.Elapsed.TotalSeconds, "s");

        clock.Restart();
        var first = await planes.ClusterAsync("bench-1");
        Figures.Print("kubernetes_first_cluster_start_s", clock.Elapsed.TotalSeconds, "s");
        var etcdPid = planes.ProcessIds[0];
        var one = await SettledRssAsync(planes.ProcessIds);
        Figures.Print("kubernetes_etcd_rss_1_cluster_mib", Rss(etcdPid), "MiB");
        Figures.Print("kubernetes_apiserver_rss_mib", Rss(first.ProcessIds[0]), "MiB");
        Figures.Print("kubernetes_controller_manager_rss_mib", Rss(first.ProcessIds[1]), "MiB");
        Figures.Print("kubernetes_total_rss_1_cluster_mib", one, "MiB");

        clock.Restart();
        await Task.WhenAll(planes.ClusterAsync("bench-2"), planes.ClusterAsync("bench-3"));
        Figures.Print("kubernetes_two_more_clusters_start_s", clock.Elapsed.TotalSeconds, "s");
        var three = await SettledRssAsync(planes.ProcessIds);
        Figures.Print("kubernetes_etcd_rss_3_clusters_mib", Rss(etcdPid), "MiB");
        Figures.Print("kubernetes_total_rss_3_clusters_mib", three, "MiB");
        Figures.Print("kubernetes_rss_per_added_cluster_mib", (three - one) / 2, "MiB");
    }

    // Freshly started Go processes keep growing for a few seconds (caches, informers); measure once the total holds
    // within 1% over five one-second samples.
    private static async Task<double> SettledRssAsync(IReadOnlyList<int> pids)
    {
        var samples = new List<double>();
        await Eventually.WaitUntilAsync(async () =>
        {
            samples.Add(pids.Sum(Rss));
            if (samples.Count < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                return false;
            }

            var window = samples[^5..];
            if (window.Max() - window.Min() <= window.Max() * 0.01)
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            return false;
        }, SettleTimeout, "the control planes' memory to settle");
        return samples[^1];
    }

    private static double Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
