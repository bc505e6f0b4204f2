using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Granary.Testing.Kubernetes;

/// <summary>
/// Real local Kubernetes control planes for tests: one shared etcd on 127.0.0.1 and, on demand, any number of named
/// clusters (API server + controller-manager each) on free ports. Everything lives in one temporary run directory.
/// Disposing it, or the end of the test process, stops exactly the processes it started and deletes that directory.
/// </summary>
public sealed partial class LocalControlPlanes : IDisposable
{
    private readonly ControlPlaneBinaries binaries;
    private readonly RunDirectory run;
    private readonly LocalEtcd etcd;
    private readonly ConcurrentDictionary<string, Lazy<Task<LocalCluster>>> clusters = new();
    private int disposed;

    private LocalControlPlanes(ControlPlaneBinaries binaries, RunDirectory run, LocalEtcd etcd)
    {
        this.binaries = binaries;
        this.run = run;
        this.etcd = etcd;
        // Test runners exit without disposing process-wide fixtures; this is the last chance to stop our processes.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The temporary directory holding etcd's data and every cluster's certificates, kubeconfigs and logs.</summary>
    public string RunDirectoryPath => run.Path;

    /// <summary>Where the shared etcd listens.</summary>
    public Uri EtcdUrl => etcd.ClientUrl;

    /// <summary>The clusters started so far.</summary>
    public IReadOnlyList<LocalCluster> Clusters =>
        [.. clusters.Values.Where(c => c.IsValueCreated && c.Value.IsCompletedSuccessfully).Select(c => c.Value.Result)];

    /// <summary>Builds or verifies the binaries (<c>deploy/local/bootstrap kubernetes</c>), then starts the shared etcd.</summary>
    public static async Task<LocalControlPlanes> StartAsync()
    {
        var binaries = await Task.Run(ControlPlaneBinaries.Locate);
        var run = RunDirectory.Create();
        try
        {
            var etcd = await LocalEtcd.StartAsync(binaries.Etcd, run);
            return new LocalControlPlanes(binaries, run, etcd);
        }
        catch
        {
            run.Release(deleteNow: true);
            throw;
        }
    }

    /// <summary>The cluster called <paramref name="name"/>, starting it on first use (about 10 s); concurrent callers share one start.</summary>
    public Task<LocalCluster> ClusterAsync(string name)
    {
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        if (!ClusterName().IsMatch(name))
        {
            throw new ArgumentException($"Cluster name '{name}' must be 1-30 lowercase letters, digits or '-', starting with a letter.", nameof(name));
        }

        return clusters.GetOrAdd(name, n => new Lazy<Task<LocalCluster>>(
            () => LocalCluster.StartAsync(n, binaries, etcd.ClientUrl, run))).Value;
    }

    /// <summary>The pids of every process this instance started (etcd first), for measuring them.</summary>
    public IReadOnlyList<int> ProcessIds => [etcd.ProcessId, .. Clusters.SelectMany(c => c.ProcessIds)];

    /// <summary>Stops every cluster and etcd, and deletes the run directory.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Signal();
        foreach (var cluster in clusters.Values.Where(c => c.IsValueCreated).Select(c => c.Value))
        {
            // A cluster still starting would otherwise leave its processes running after we return.
            try
            {
                cluster.Wait(TimeSpan.FromSeconds(30));
            }
            catch (AggregateException)
            {
                // It failed to start and has cleaned up after itself.
            }

            if (cluster.IsCompletedSuccessfully)
            {
                cluster.Result.Stop();
            }
        }

        etcd.Dispose();
        run.Release(deleteNow: true);
    }

    // The test runner kills the test host soon after it starts exiting (vstest allows about 100 ms), so signal every
    // process without waiting and leave the rest to the run directory's watcher, which outlives us.
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            Signal();
            run.Release(deleteNow: false);
        }
    }

    private void Signal()
    {
        foreach (var cluster in Clusters)
        {
            cluster.Signal();
        }

        etcd.Signal();
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,29}$")]
    private static partial Regex ClusterName();
}
