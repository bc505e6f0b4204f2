using System.Collections.Concurrent;

namespace Granary.Grains.Kubernetes.Client;

/// <summary>
/// A cluster's own client and, cached per account, clients impersonating <c>system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;</c>
/// (Flux's <c>spec.serviceAccountName</c>), sharing the cluster client's options.
/// </summary>
public sealed class ServiceAccountClients(KubernetesClient cluster)
{
    private readonly ConcurrentDictionary<string, KubernetesClient> _impersonating = new(StringComparer.Ordinal);

    /// <summary>The cluster's client, or the one acting as <paramref name="serviceAccountName"/> of <paramref name="namespace"/>.</summary>
    public KubernetesClient For(string @namespace, string? serviceAccountName) => string.IsNullOrEmpty(serviceAccountName)
        ? cluster
        : _impersonating.GetOrAdd($"{@namespace}/{serviceAccountName}",
            _ => new KubernetesClient(cluster.Connection.ImpersonatingServiceAccount(@namespace, serviceAccountName), cluster.Options));
}
