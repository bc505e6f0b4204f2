using System.Diagnostics;
using System.Net;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>Injected latency delays a request, which then goes through unchanged.</summary>
public sealed class Fault_proxy_adds_latency(LocalKubernetes kubernetes) : FaultProxyTestBase(kubernetes)
{
    [Fact]
    public async Task A_delayed_request_takes_at_least_the_delay_and_still_succeeds()
    {
        using var http = AdminThroughProxy();
        Proxy.Inject(Fault.Latency(TimeSpan.FromMilliseconds(700)), FaultScope.Next(1) with { PathPattern = "^/version$" });
        var clock = Stopwatch.StartNew();

        using var response = await http.GetAsync("/version");

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(700), $"took {clock.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("v1.20.2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_client_timeout_shorter_than_the_delay_fires()
    {
        using var http = AdminThroughProxy();
        http.Timeout = TimeSpan.FromMilliseconds(300);
        using var fault = Proxy.Inject(Fault.Latency(TimeSpan.FromSeconds(30)), FaultScope.Path("^/api/v1/namespaces$"));

        await Assert.ThrowsAsync<TaskCanceledException>(() => http.GetAsync("/api/v1/namespaces"));
    }
}
