using System.Net;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>Error statuses can be injected for the next N requests, for a fraction of them, or for matching paths and methods.</summary>
public sealed class Fault_proxy_injects_error_statuses(LocalKubernetes kubernetes) : FaultProxyTestBase(kubernetes, seed: 42)
{
    [Fact]
    public async Task The_next_two_requests_fail_with_503()
    {
        using var http = AdminThroughProxy();
        Proxy.Inject(Fault.Status(HttpStatusCode.ServiceUnavailable), FaultScope.Next(2));

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.GetAsync("/api");
            codes.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], codes);
    }

    [Fact]
    public async Task Only_requests_matching_the_method_and_path_fail()
    {
        using var http = AdminThroughProxy();
        using var fault = Proxy.Inject(Fault.Status(HttpStatusCode.InternalServerError), new FaultScope { Method = "GET", PathPattern = "^/apis/apps/" });

        using var apps = await http.GetAsync("/apis/apps/v1");
        using var core = await http.GetAsync("/api/v1");

        Assert.Equal(HttpStatusCode.InternalServerError, apps.StatusCode);
        Assert.Equal(HttpStatusCode.OK, core.StatusCode);
    }

    [Fact]
    public async Task A_fraction_of_requests_fail_and_the_rest_pass()
    {
        using var http = AdminThroughProxy();
        using var fault = Proxy.Inject(Fault.Status(HttpStatusCode.GatewayTimeout), FaultScope.Fraction(0.5) with { PathPattern = "^/version" });

        var failed = 0;
        for (var i = 0; i < 40; i++)
        {
            using var response = await http.GetAsync("/version");
            failed += response.StatusCode == HttpStatusCode.GatewayTimeout ? 1 : 0;
        }

        Assert.InRange(failed, 8, 32);
    }
}
