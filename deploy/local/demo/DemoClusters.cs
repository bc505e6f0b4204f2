using Granary.Testing.Kubernetes;

namespace Granary.Demo;

/// <summary>
/// The clusters the demo fleet lands on: two local control planes (staging, the management cluster, and production),
/// each with a node simulator so Deployments roll out, or the kubeconfig files the user named.
/// </summary>
public sealed class DemoClusters : IAsyncDisposable
{
    private readonly LocalControlPlanes? planes;
    private readonly List<NodeSimulator> simulators = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> namespaceWatches = [];

    private DemoClusters(LocalControlPlanes? planes, string managementKubeconfig, string? productionKubeconfig)
    {
        this.planes = planes;
        ManagementKubeconfig = managementKubeconfig;
        ProductionKubeconfig = productionKubeconfig;
    }

    /// <summary>The kubeconfig of the management cluster (staging), where the silo runs its Granary resources.</summary>
    public string ManagementKubeconfig { get; }

    /// <summary>The kubeconfig of the production cluster, or null when production is left out.</summary>
    public string? ProductionKubeconfig { get; }

    /// <summary>Starts local staging and production control planes, or uses the user's clusters.</summary>
    public static async Task<DemoClusters> StartAsync(DemoOptions options, Action<string> progress, CancellationToken cancellationToken)
    {
        if (!options.UsesLocalClusters)
        {
            progress($"Using the cluster of {options.Kubeconfig} as staging (the management cluster)"
                + (options.ProductionKubeconfig is null ? "; production is left out (give --production-kubeconfig for it)." : $" and {options.ProductionKubeconfig} as production."));
            return new DemoClusters(null, options.Kubeconfig!, options.ProductionKubeconfig);
        }

        progress("Starting local Kubernetes control planes staging and production (v1.20, built once per machine by the bootstrap)...");
        var planes = await LocalControlPlanes.StartAsync();
        try
        {
            var staging = planes.ClusterAsync("staging");
            var production = planes.ClusterAsync("production");
            await Task.WhenAll(staging, production).WaitAsync(cancellationToken);
            var clusters = new DemoClusters(planes, staging.Result.KubeconfigPath, production.Result.KubeconfigPath);
            foreach (var cluster in new[] { staging.Result, production.Result })
            {
                progress($"  {cluster.Name}: {cluster.Server} (kubeconfig {cluster.KubeconfigPath})");
                await clusters.SimulateNodeAsync(cluster);
            }

            return clusters;
        }
        catch
        {
            planes.Dispose();
            throw;
        }
    }

    /// <summary>Stops the node simulators and the local control planes (nothing for the user's clusters).</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await Task.WhenAll(namespaceWatches.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        foreach (var simulator in simulators)
        {
            await simulator.DisposeAsync();
        }

        planes?.Dispose();
        stopping.Dispose();
    }

    // There is no kubelet: the simulator makes Pods Running and Ready in every namespace, including the ones the fleet creates later.
    private async Task SimulateNodeAsync(LocalCluster cluster)
    {
        var simulator = await NodeSimulator.StartAsync(cluster);
        simulators.Add(simulator);
        namespaceWatches.Add(Task.Run(async () =>
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    var namespaces = await cluster.Admin.GetAsync("/api/v1/namespaces", stopping.Token);
                    foreach (var item in namespaces?["items"]?.AsArray() ?? [])
                    {
                        simulator.Watch(item!["metadata"]!["name"]!.GetValue<string>());
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), stopping.Token);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (exception is HttpRequestException or KubernetesApiException or TaskCanceledException)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }
            }
        }));
    }
}
