using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>
/// xunit class fixture over the process-wide <see cref="SharedControlPlanes"/>: every class that uses it shares the same
/// clusters (started once per test run, stopped at exit), so classes still run in parallel and isolate by namespace.
/// </summary>
public sealed class LocalKubernetes : IAsyncLifetime
{
    /// <summary>The cluster most tests use.</summary>
    public LocalCluster Cluster { get; private set; } = null!;

    /// <summary>Another shared cluster, started on first use.</summary>
    public Task<LocalCluster> SecondClusterAsync() => SharedControlPlanes.ClusterAsync("secondary");

    /// <inheritdoc />
    public async Task InitializeAsync() => Cluster = await SharedControlPlanes.ClusterAsync();

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;
}
