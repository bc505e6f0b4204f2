using System.Net;
using System.Text.Json.Nodes;

namespace Granary.Tests.Kubernetes.Infrastructure;

public sealed class Control_plane_answers_as_v1_20_2(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Version_reports_v1_20_2()
    {
        using var http = kubernetes.Cluster.CreateHttpClient(kubernetes.Cluster.AdminToken);

        var version = JsonNode.Parse(await http.GetStringAsync("/version"))!;

        Assert.Equal("v1.20.2", version["gitVersion"]!.GetValue<string>());
        Assert.Equal("20", version["minor"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_API_server_is_ready_and_serves_TLS_for_127_0_0_1()
    {
        Assert.Equal("https", kubernetes.Cluster.Server.Scheme);
        Assert.Equal("127.0.0.1", kubernetes.Cluster.Server.Host);
        using var http = kubernetes.Cluster.CreateHttpClient(kubernetes.Cluster.AdminToken);

        using var response = await http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
