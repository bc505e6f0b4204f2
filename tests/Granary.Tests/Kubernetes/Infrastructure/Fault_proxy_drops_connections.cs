using System.Net;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>The proxy can drop a connection before answering, or cut a response short after its headers.</summary>
public sealed class Fault_proxy_drops_connections(LocalKubernetes kubernetes) : FaultProxyTestBase(kubernetes)
{
    [Fact]
    public async Task A_dropped_request_fails_and_the_next_one_succeeds()
    {
        using var http = AdminThroughProxy();
        Proxy.Inject(Fault.DropConnection(), FaultScope.Next(1));

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/api/v1/namespaces"));
        using var retried = await http.GetAsync("/api/v1/namespaces");

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task A_response_cut_after_its_headers_fails_while_reading_the_body()
    {
        using var http = AdminThroughProxy();
        Proxy.Inject(Fault.CutResponse(bytes: 10), FaultScope.Next(1));

        using var response = await http.GetAsync("/openapi/v2", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(Stream.Null));
    }
}
