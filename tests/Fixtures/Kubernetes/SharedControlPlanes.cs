namespace Granary.Testing.Kubernetes;

/// <summary>
/// The one <see cref="LocalControlPlanes"/> of a test process, started on first use and stopped when the process
/// exits. Tests share its clusters and isolate themselves by namespace (<see cref="LocalCluster.CreateNamespaceAsync"/>);
/// a test project may wrap it in an xunit class or collection fixture.
/// </summary>
public static class SharedControlPlanes
{
    /// <summary>The cluster most tests use.</summary>
    public const string DefaultCluster = "primary";

    private static readonly Lazy<Task<LocalControlPlanes>> Instance = new(LocalControlPlanes.StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared control planes (etcd running, clusters started on demand).</summary>
    public static Task<LocalControlPlanes> GetAsync() => Instance.Value;

    /// <summary>The shared cluster called <paramref name="name"/>, started on first use.</summary>
    public static async Task<LocalCluster> ClusterAsync(string name = DefaultCluster) => await (await GetAsync()).ClusterAsync(name);
}
