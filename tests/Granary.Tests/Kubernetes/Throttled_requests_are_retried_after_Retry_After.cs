using System.Diagnostics;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>A 429 with Retry-After is waited out and retried; when throttling does not stop, the error says so.</summary>
public sealed class Throttled_requests_are_retried_after_Retry_After(LocalKubernetes kubernetes) : FaultProxyTestBase(kubernetes)
{
    [Fact]
    public async Task An_apply_through_a_throttling_proxy_succeeds_after_waiting()
    {
        await using var ns = await Cluster.CreateNamespaceAsync("throttled");
        using var client = Manifests.Client(Cluster, Proxy.WriteKubeconfig(new ClusterUser("admin", Cluster.AdminToken)));
        using var fault = Proxy.Inject(Fault.TooManyRequests(TimeSpan.FromSeconds(1)), FaultScope.Next(2) with { Method = "PATCH" });
        var clock = Stopwatch.StartNew();

        var result = await Manifests.ApplyAsync(client, [Manifests.ConfigMap(ns.Name, "patient")]);

        Assert.Equal(ChangeAction.Created, result.ChangeSet.Changes.Single().Action);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"retried after {clock.Elapsed.TotalSeconds:0.##} s, before Retry-After");
        Assert.Equal(3, Proxy.Requests.Count(r => r.Method == "PATCH"));
        Assert.NotNull(await Cluster.Admin.GetAsync($"/api/v1/namespaces/{ns}/configmaps/patient"));
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_retries_is_a_TooManyRequests_error()
    {
        using var client = Manifests.Client(Cluster, Proxy.WriteKubeconfig(new ClusterUser("admin", Cluster.AdminToken)), new KubernetesClientOptions { MaxRetries = 1 });
        using var fault = Proxy.Inject(Fault.TooManyRequests(TimeSpan.FromSeconds(1)), FaultScope.Path("^/version"));

        var error = await Assert.ThrowsAsync<TooManyRequestsException>(() => client.GetServerVersionAsync());

        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
        Assert.Contains("throttled by the API server (429) 2 times", error.Message);
    }
}
