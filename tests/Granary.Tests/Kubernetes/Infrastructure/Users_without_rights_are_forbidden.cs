using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Granary.Testing;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>Token users handed out by the fixture authenticate, are denied by RBAC, and gain exactly what a binding grants.</summary>
public sealed class Users_without_rights_are_forbidden(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_user_without_rights_gets_403_until_a_RoleBinding_grants_it_access()
    {
        var cluster = kubernetes.Cluster;
        await using var @namespace = await cluster.CreateNamespaceAsync("rbac");
        var user = cluster.CreateUserWithoutRights();
        using var http = cluster.CreateHttpClient(user.Token);

        using (var denied = await http.GetAsync($"/api/v1/namespaces/{@namespace}/configmaps"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        await cluster.Admin.CreateAsync($"/apis/rbac.authorization.k8s.io/v1/namespaces/{@namespace}/rolebindings", new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = "RoleBinding",
            ["metadata"] = new JsonObject { ["name"] = "view" },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = "view" },
            ["subjects"] = new JsonArray(new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "User", ["name"] = user.Name }),
        });

        // The RBAC authorizer reads bindings from an informer cache, so a new binding takes effect a moment later.
        await Eventually.WaitUntilAsync(async () =>
        {
            using var allowed = await http.GetAsync($"/api/v1/namespaces/{@namespace}/configmaps");
            return allowed.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), $"{user.Name} to be allowed to list ConfigMaps");
        using var write = await http.PostAsJsonAsync($"/api/v1/namespaces/{@namespace}/configmaps", Workloads.ConfigMap("nope", "x"));
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    [Fact]
    public void Each_call_hands_out_a_different_user()
    {
        var first = kubernetes.Cluster.CreateUserWithoutRights();
        var second = kubernetes.Cluster.CreateUserWithoutRights();

        Assert.NotEqual(first.Name, second.Name);
        Assert.NotEqual(first.Token, second.Token);
    }
}
