using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>The controller-manager's token controller signs a token Secret for every ServiceAccount, which the API server accepts.</summary>
public sealed class Service_accounts_get_token_secrets(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_new_ServiceAccount_gets_a_token_that_authenticates_as_it()
    {
        var cluster = kubernetes.Cluster;
        await using var @namespace = await cluster.CreateNamespaceAsync("tokens");

        var robot = await cluster.CreateServiceAccountAsync(@namespace.Name, "robot");

        Assert.Equal($"system:serviceaccount:{@namespace}:robot", robot.Name);
        using var http = cluster.CreateHttpClient(robot.Token);
        using var review = await http.PostAsJsonAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SelfSubjectAccessReview",
            ["spec"] = new JsonObject
            {
                ["resourceAttributes"] = new JsonObject { ["namespace"] = @namespace.Name, ["verb"] = "list", ["resource"] = "secrets" },
            },
        });
        Assert.Equal(HttpStatusCode.Created, review.StatusCode);
        var answer = JsonNode.Parse(await review.Content.ReadAsStringAsync())!;
        Assert.False(answer["status"]!["allowed"]!.GetValue<bool>(), "a fresh ServiceAccount has no rights");
    }
}
