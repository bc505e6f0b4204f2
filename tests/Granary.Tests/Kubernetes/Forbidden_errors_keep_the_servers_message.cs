using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>A token without rights gets Forbidden, reported with the server's own message, the object and the fix.</summary>
public sealed class Forbidden_errors_keep_the_servers_message(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task The_client_throws_Forbidden_with_the_RBAC_message()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("forbidden");
        var user = kubernetes.Cluster.CreateUserWithoutRights();
        using var client = Manifests.Client(kubernetes.Cluster, kubernetes.Cluster.WriteKubeconfig(user));

        var error = await Assert.ThrowsAsync<ForbiddenException>(() => client.ApplyAsync(Manifests.ConfigMap(ns.Name, "nope")));

        Assert.Contains($"User \"{user.Name}\" cannot patch resource \"configmaps\"", error.ServerMessage);
        Assert.Contains(error.ServerMessage, error.Message);
        Assert.Contains("RBAC", error.Message);
    }

    [Fact]
    public async Task The_apply_fails_with_ReconciliationFailed_naming_the_object()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("forbidden");
        var user = kubernetes.Cluster.CreateUserWithoutRights();
        using var client = Manifests.Client(kubernetes.Cluster, kubernetes.Cluster.WriteKubeconfig(user));

        var result = await new ApplyEngine(client).ApplyAsync(Manifests.Owner(), [Manifests.ConfigMap(ns.Name, "nope")], Inventory.Empty, new ApplyOptions(), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(ApplyReasons.ReconciliationFailed, result.Reason);
        Assert.Contains("forbidden", result.Message);
        Assert.Contains($"User \"{user.Name}\" cannot", result.Message);
        Assert.Null(await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/nope"));
    }
}
