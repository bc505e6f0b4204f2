using Granary.Contracts.Resources;
using Granary.Grains.Clusters;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Objects;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Clusters;

public sealed class Cluster_clients_share_limits_and_follow_changes(LocalKubernetes kubernetes) : FleetTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task All_callers_of_one_cluster_stay_within_its_concurrency_limit()
    {
        await using var proxy = await FaultProxy.StartAsync(Management);
        await WriteKubeconfigSecretAsync("proxied", Management, proxy.Url);
        await ApplyClusterAsync("limited", KubeConfigSpec("proxied") with { Limits = new ClusterLimits { Concurrency = 3 } });
        var inFlight = new InFlightCounter();
        using var clients = new ClusterClients(() => Silo.Grains, Secrets, new KubernetesClientOptions { WrapHandler = inner => inFlight.Wrap(inner) });
        var target = ClusterTarget.Cluster(Namespace.Name, "limited");
        var first = await clients.GetAsync(target);
        var second = await clients.GetAsync(target);
        var impersonating = await clients.GetAsync(target, serviceAccountName: "deployer");
        using var slow = proxy.Inject(Fault.Latency(TimeSpan.FromMilliseconds(200)), FaultScope.Path("/configmaps/"));

        var requests = Enumerable.Range(0, 30).Select(i => (i % 3) switch
        {
            0 => Read(first, i),
            1 => Read(second, i),
            _ => Read(impersonating, i),
        });
        await Task.WhenAll(requests);

        Assert.Same(first, second);
        Assert.NotSame(first, impersonating);
        Assert.Same(first.Mapper, impersonating.Mapper);
        Assert.Equal(3, inFlight.Max);
        Assert.True(proxy.Requests.Count(r => r.PathAndQuery.Contains("/configmaps/", StringComparison.Ordinal)) >= 30);
    }

    [Fact]
    public async Task A_rotated_Secret_or_a_changed_spec_yields_a_new_client()
    {
        await WriteKubeconfigSecretAsync("primary", Management);
        await ApplyClusterAsync("primary", KubeConfigSpec("primary"));
        using var clients = new ClusterClients(() => Silo.Grains, Secrets);

        var original = await clients.GetClusterAsync($"{Namespace}/primary");
        var again = await clients.GetClusterAsync($"{Namespace}/primary");
        await WriteSecretAsync("primary", new() { ["value"] = await File.ReadAllTextAsync(Management.ClientCertificateKubeconfigPath) });
        var rotated = await clients.GetClusterAsync($"{Namespace}/primary");
        await ApplyClusterAsync("primary", KubeConfigSpec("primary") with { Limits = new ClusterLimits { Qps = 50 } });
        var respecified = await clients.GetClusterAsync($"{Namespace}/primary");

        Assert.Same(original, again);
        Assert.NotSame(original, rotated);
        Assert.NotSame(rotated, respecified);
        Assert.Equal(50, respecified.Options.Throttle!.QueriesPerSecond);
        Assert.Equal("v1.20.2", (string?)(await rotated.GetServerVersionAsync())["gitVersion"]);
        Assert.Equal("v1.20.2", (string?)(await respecified.GetServerVersionAsync())["gitVersion"]);
    }

    [Fact]
    public async Task A_plain_kubeConfig_secretRef_needs_no_Cluster()
    {
        var target = await SecondClusterAsync();
        await WriteKubeconfigSecretAsync("remote", target);
        using var clients = new ClusterClients(() => Silo.Grains, Secrets);
        var kubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = "remote" } };

        var client = await clients.GetAsync(ClusterTarget.Of(Namespace.Name, kubeConfig, null)!, requester: $"Kustomization {Namespace}/apps");
        var missing = await Assert.ThrowsAsync<ClusterConnectionException>(() =>
            clients.GetAsync(ClusterTarget.KubeConfig(Namespace.Name, new SecretKeyReference { Name = "absent" }), requester: $"Kustomization {Namespace}/apps"));

        Assert.Equal(target.Server, client.Connection.Server);
        Assert.Equal("v1.20.2", (string?)(await client.GetServerVersionAsync())["gitVersion"]);
        Assert.Equal("CredentialsNotFound", missing.Reason);
        Assert.StartsWith($"Kustomization {Namespace}/apps spec.kubeConfig.secretRef: Secret {Namespace}/absent does not exist", missing.Message);
        Assert.Null(ClusterTarget.Of(Namespace.Name, null, null));
        Assert.Throws<ClusterConnectionException>(() => ClusterTarget.Of(Namespace.Name, kubeConfig, new LocalObjectReference { Name = "prod" }));
    }

    [Fact]
    public async Task A_deleted_or_unknown_Cluster_is_named_in_the_error()
    {
        await WriteKubeconfigSecretAsync("primary", Management);
        await ApplyClusterAsync("doomed", KubeConfigSpec("primary"));
        using var clients = new ClusterClients(() => Silo.Grains, Secrets);
        await clients.GetClusterAsync($"{Namespace}/doomed");

        await ClusterGrain("doomed").DeleteAsync();
        var error = await Assert.ThrowsAsync<ClusterConnectionException>(() =>
            clients.GetAsync(ClusterTarget.Cluster(Namespace.Name, "doomed"), requester: $"Kustomization {Namespace}/apps"));

        Assert.Equal("ClusterNotFound", error.Reason);
        Assert.StartsWith($"Kustomization {Namespace}/apps spec.clusterRef: Cluster {Namespace}/doomed does not exist", error.Message);
        Assert.Empty(await Directory.MembersAsync());
    }

    private static async Task Read(KubernetesClient client, int index)
    {
        try
        {
            await client.TryGetAsync(new ObjectReference("v1", "ConfigMap", "default", $"absent-{index}"));
        }
        catch (ForbiddenException)
        {
            // The impersonated ServiceAccount may not read ConfigMaps; its requests still count against the cluster.
        }
    }

    /// <summary>Counts requests in flight below the client's throttle, and the most at once.</summary>
    private sealed class InFlightCounter
    {
        private int _current;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public HttpMessageHandler Wrap(HttpMessageHandler inner) => new Counting(this) { InnerHandler = inner };

        private sealed class Counting(InFlightCounter counter) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var now = Interlocked.Increment(ref counter._current);
                int seen;
                while (now > (seen = Volatile.Read(ref counter._max)) && Interlocked.CompareExchange(ref counter._max, now, seen) != seen)
                {
                }

                try
                {
                    return await base.SendAsync(request, cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref counter._current);
                }
            }
        }
    }
}
