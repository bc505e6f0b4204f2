using System.Collections.Concurrent;
using System.Diagnostics;
using Granary.Contracts.Clusters;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Secrets;

namespace Granary.Grains.Clusters;

/// <summary>
/// The silo's clients for fleet clusters. For a <see cref="ClusterTarget"/> it hands out one <see cref="KubernetesClient"/>
/// shared by every caller in the silo, so they share its connections, its discovery cache (also with the clients impersonating
/// ServiceAccounts), and the cluster's limits
/// (<c>spec.limits</c>: every client of one cluster, including those impersonating a ServiceAccount, draws from one
/// <see cref="RequestThrottle"/>). A Cluster's connection comes from its grain (<see cref="IClusterGrain.GetConnectionAsync"/>),
/// so the grain stays its owner; credentials are read from the referenced Secret here, on every call, so a changed spec or a
/// rotated Secret yields a new client at once. Callers must not dispose the clients; a replaced client is disposed after
/// a grace period, so requests still using it finish.
/// </summary>
public sealed class ClusterClients : IDisposable
{
    private readonly Func<IGrainFactory> grains;
    private readonly ClusterConnectionResolver resolver;
    private readonly KubernetesClientOptions options;
    private readonly TimeSpan retireAfter;
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(long RetiredAt, IDisposable Resource)> retired = new();
    private int disposed;

    /// <summary>
    /// Clients built from <paramref name="options"/> (field manager, retries, timeouts, handler hook; the limits come from each
    /// Cluster). <paramref name="grains"/> gives the silo's grain factory once the silo runs; <paramref name="secrets"/> reads
    /// kubeconfig and token Secrets from the management cluster.
    /// </summary>
    public ClusterClients(Func<IGrainFactory> grains, ISecretReader secrets, KubernetesClientOptions? options = null)
    {
        this.grains = grains;
        resolver = new ClusterConnectionResolver(secrets);
        this.options = options ?? new KubernetesClientOptions();
        retireAfter = this.options.RequestTimeout * (this.options.MaxRetries + 1) + TimeSpan.FromSeconds(30);
    }

    /// <summary>
    /// The client for <paramref name="target"/>, acting as ServiceAccount <paramref name="serviceAccountName"/> of the target's
    /// namespace when given (Flux's <c>spec.serviceAccountName</c>, impersonated on the target cluster). <paramref name="requester"/>
    /// (e.g. <c>Kustomization apps/web</c>) is named in errors. Throws <see cref="ClusterConnectionException"/> when the Cluster
    /// does not exist or its spec, Secret or kubeconfig is unusable.
    /// </summary>
    public async Task<KubernetesClient> GetAsync(ClusterTarget target, string? serviceAccountName = null, string? requester = null,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        DisposeRetired();
        var id = target.ToString();
        ResolvedConnection resolved;
        try
        {
            resolved = await ResolveAsync(target, requester, cancellationToken);
        }
        catch (ClusterConnectionException e) when (e.Reason == ClusterReasons.ClusterNotFound)
        {
            if (entries.TryRemove(id, out var gone))
            {
                Retire(gone.Current?.Client, gone.Throttle, gone.Current?.Impersonating.Values ?? []);
            }

            throw;
        }

        var entry = entries.GetOrAdd(id, _ => new Entry());
        if (entry.Current?.Fingerprint != resolved.Fingerprint)
        {
            await entry.Gate.WaitAsync(cancellationToken);
            try
            {
                if (entry.Current?.Fingerprint != resolved.Fingerprint)
                {
                    Rebuild(entry, resolved);
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }

        while (true)
        {
            var current = entry.Current!;
            var client = string.IsNullOrEmpty(serviceAccountName)
                ? current.Client
                : current.Impersonating.GetOrAdd(serviceAccountName,
                    name => new KubernetesClient(current.Client.Connection.ImpersonatingServiceAccount(target.Namespace, name),
                        current.Client.Options with { Discovery = current.Client.Mapper }));
            if (ReferenceEquals(entry.Current, current))
            {
                return client;
            }

            // Rebuilt meanwhile (another caller saw a newer spec or Secret): hand out a client of the newest generation. One just
            // added to the old generation may have missed its retirement, so retire it too (disposing twice is harmless).
            if (!ReferenceEquals(client, current.Client))
            {
                Retire(null, null, [client]);
            }
        }
    }

    /// <summary>A client for the Cluster with key <paramref name="clusterKey"/> (<c>namespace/name</c>); see <see cref="GetAsync"/>.</summary>
    public Task<KubernetesClient> GetClusterAsync(string clusterKey, CancellationToken cancellationToken = default)
    {
        var slash = clusterKey.IndexOf('/');
        if (slash <= 0 || slash == clusterKey.Length - 1)
        {
            throw new ArgumentException($"'{clusterKey}' is not a Cluster key; write namespace/name.", nameof(clusterKey));
        }

        return GetAsync(ClusterTarget.Cluster(clusterKey[..slash], clusterKey[(slash + 1)..]), cancellationToken: cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        foreach (var entry in entries.Values)
        {
            Retire(entry.Current?.Client, entry.Throttle, entry.Current?.Impersonating.Values ?? []);
        }

        entries.Clear();
        while (retired.TryDequeue(out var item))
        {
            item.Resource.Dispose();
        }
    }

    private async Task<ResolvedConnection> ResolveAsync(ClusterTarget target, string? requester, CancellationToken cancellationToken)
    {
        if (target.KubeConfigSecret is { } secretRef)
        {
            return await resolver.ResolveKubeConfigAsync(target.Namespace, secretRef, requester ?? $"a resource in namespace {target.Namespace}", cancellationToken);
        }

        var key = target.ClusterKey!;
        var info = await grains().Get<IClusterGrain>(key).GetConnectionAsync()
            ?? throw new ClusterConnectionException(ClusterReasons.ClusterNotFound,
                $"{(requester is null ? "" : requester + " spec.clusterRef: ")}Cluster {key} does not exist; apply it, or point clusterRef at an existing Cluster in namespace {target.Namespace}");
        return await resolver.ResolveAsync(info, cancellationToken);
    }

    /// <summary>Replaces the entry's client (and its throttle when the limits changed); the old ones retire.</summary>
    private void Rebuild(Entry entry, ResolvedConnection resolved)
    {
        var limits = resolved.Limits;
        var qps = limits.Qps ?? ClusterLimits.DefaultQps;
        var burst = limits.Burst ?? ClusterLimits.DefaultBurst;
        var concurrency = limits.Concurrency ?? ClusterLimits.DefaultConcurrency;
        var oldThrottle = entry.Throttle;
        if (entry.Throttle is not { } throttle || throttle.QueriesPerSecond != qps || throttle.Burst != burst || throttle.MaxConcurrency != concurrency)
        {
            entry.Throttle = new RequestThrottle(qps, burst, concurrency);
        }

        var old = entry.Current;
        entry.Current = new ClientGeneration(resolved.Fingerprint, new KubernetesClient(resolved.Connection, options with
        {
            QueriesPerSecond = qps,
            Burst = burst,
            MaxConcurrency = concurrency,
            Throttle = entry.Throttle,
        }));
        Retire(old?.Client, oldThrottle == entry.Throttle ? null : oldThrottle, old?.Impersonating.Values ?? []);
    }

    private void Retire(KubernetesClient? client, RequestThrottle? throttle, IEnumerable<KubernetesClient> impersonating)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var resource in new IDisposable?[] { client, throttle }.Concat(impersonating))
        {
            if (resource is not null)
            {
                retired.Enqueue((now, resource));
            }
        }
    }

    private void DisposeRetired()
    {
        while (retired.TryPeek(out var item) && Stopwatch.GetElapsedTime(item.RetiredAt) > retireAfter && retired.TryDequeue(out item))
        {
            item.Resource.Dispose();
        }
    }

    /// <summary>One target's clients: the current generation, and the throttle that outlives generations while the limits stay.</summary>
    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public RequestThrottle? Throttle { get; set; }

        public volatile ClientGeneration? Current;
    }

    /// <summary>The clients built from one fingerprint of spec and Secret: the target's own, and those impersonating ServiceAccounts.</summary>
    private sealed record ClientGeneration(string Fingerprint, KubernetesClient Client)
    {
        public ConcurrentDictionary<string, KubernetesClient> Impersonating { get; } = new(StringComparer.Ordinal);
    }
}
