using Granary.Testing;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>The namespace controller (in the controller-manager) empties a deleted namespace and removes its finalizer.</summary>
public sealed class Namespace_deletion_completes(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_deleted_namespace_with_objects_in_it_disappears()
    {
        var cluster = kubernetes.Cluster;
        var @namespace = await cluster.CreateNamespaceAsync("deleted");
        await cluster.Admin.CreateAsync($"/api/v1/namespaces/{@namespace}/configmaps", Workloads.ConfigMap("content", "x"));

        await @namespace.DisposeAsync();

        await Eventually.WaitUntilAsync(async () => await cluster.Admin.GetAsync($"/api/v1/namespaces/{@namespace}") is null,
            TimeSpan.FromSeconds(60), $"namespace {@namespace} to be gone");
    }
}
