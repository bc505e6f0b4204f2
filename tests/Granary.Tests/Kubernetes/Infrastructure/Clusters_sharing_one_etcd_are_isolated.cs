using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

public sealed class Clusters_sharing_one_etcd_are_isolated(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_ConfigMap_created_in_one_cluster_is_absent_in_the_other()
    {
        var first = kubernetes.Cluster;
        var second = await kubernetes.SecondClusterAsync();
        Assert.NotEqual(first.Server, second.Server);
        await using var @namespace = await first.CreateNamespaceAsync("isolated");

        await first.Admin.CreateAsync($"/api/v1/namespaces/{@namespace}/configmaps", Workloads.ConfigMap("only-here", "1"));

        Assert.NotNull(await first.Admin.GetAsync($"/api/v1/namespaces/{@namespace}/configmaps/only-here"));
        Assert.Null(await second.Admin.GetAsync($"/api/v1/namespaces/{@namespace}"));
        Assert.Null(await second.Admin.GetAsync($"/api/v1/namespaces/{@namespace}/configmaps/only-here"));
    }

    [Fact]
    public async Task Each_cluster_has_its_own_CA_and_rejects_the_other_clusters_admin_token()
    {
        var first = kubernetes.Cluster;
        var second = await kubernetes.SecondClusterAsync();
        Assert.NotEqual(first.CaPem, second.CaPem);

        using var http = second.CreateHttpClient(first.AdminToken);
        using var response = await http.GetAsync("/api/v1/namespaces");

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
