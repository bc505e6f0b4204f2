using System.Net;
using System.Text.Json.Nodes;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>An injected 429 looks like the API server's own throttling: Retry-After in seconds and a TooManyRequests Status.</summary>
public sealed class Fault_proxy_throttles_with_429(LocalKubernetes kubernetes) : FaultProxyTestBase(kubernetes)
{
    [Fact]
    public async Task The_next_request_gets_429_with_Retry_After_and_the_one_after_passes()
    {
        using var http = AdminThroughProxy();
        Proxy.Inject(Fault.TooManyRequests(TimeSpan.FromSeconds(2)), FaultScope.Next(1));

        using var throttled = await http.GetAsync("/api/v1/namespaces");
        using var passed = await http.GetAsync("/api/v1/namespaces");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), throttled.Headers.RetryAfter?.Delta);
        var status = JsonNode.Parse(await throttled.Content.ReadAsStringAsync())!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("TooManyRequests", status["reason"]!.GetValue<string>());
        Assert.Equal(429, status["code"]!.GetValue<int>());
        Assert.Equal(2, status["details"]!["retryAfterSeconds"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.IsType<StatusFault>(Proxy.Requests[0].Fault);
        Assert.Null(Proxy.Requests[1].Fault);
    }
}
