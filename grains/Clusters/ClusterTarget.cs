using Granary.Contracts.Resources;

namespace Granary.Grains.Clusters;

/// <summary>
/// Where a Kustomization or HelmRelease applies when not to the silo's own cluster: a Granary Cluster
/// (<c>spec.clusterRef</c>, same namespace) or Flux's kubeconfig Secret (<c>spec.kubeConfig.secretRef</c>).
/// </summary>
public sealed record ClusterTarget
{
    private ClusterTarget(string @namespace, string? clusterName, SecretKeyReference? kubeConfigSecret)
    {
        Namespace = @namespace;
        ClusterName = clusterName;
        KubeConfigSecret = kubeConfigSecret;
    }

    /// <summary>The namespace of the Cluster or Secret (and of the resource that targets it).</summary>
    public string Namespace { get; }

    /// <summary>The Cluster's name, for a Cluster target.</summary>
    public string? ClusterName { get; }

    /// <summary>The kubeconfig Secret, for a Flux kubeConfig target.</summary>
    public SecretKeyReference? KubeConfigSecret { get; }

    /// <summary>The Cluster grain's key (<c>namespace/name</c>), or null for a kubeconfig target.</summary>
    public string? ClusterKey => ClusterName is null ? null : $"{Namespace}/{ClusterName}";

    /// <summary>The Cluster <paramref name="name"/> in <paramref name="namespace"/>.</summary>
    public static ClusterTarget Cluster(string @namespace, string name) => new(@namespace, name, null);

    /// <summary>The cluster of the kubeconfig in Secret <paramref name="secretRef"/> of <paramref name="namespace"/>.</summary>
    public static ClusterTarget KubeConfig(string @namespace, SecretKeyReference secretRef) => new(@namespace, null, secretRef);

    /// <summary>
    /// The target of a resource in <paramref name="namespace"/> with these spec fields; null when neither is set (apply to the
    /// silo's own cluster). Both set is an <see cref="ClusterConnectionException"/> (InvalidSpec).
    /// </summary>
    public static ClusterTarget? Of(string @namespace, KubeConfigReference? kubeConfig, LocalObjectReference? clusterRef) => (kubeConfig, clusterRef) switch
    {
        (null, null) => null,
        ({ } k, null) => KubeConfig(@namespace, k.SecretRef),
        (null, { } c) => Cluster(@namespace, c.Name),
        _ => throw new ClusterConnectionException(ClusterReasons.InvalidSpec,
            "spec.kubeConfig and spec.clusterRef are both set; a resource applies to one cluster, so remove one"),
    };

    /// <inheritdoc />
    public override string ToString() => ClusterName is not null
        ? $"Cluster {Namespace}/{ClusterName}"
        : $"kubeconfig Secret {Namespace}/{KubeConfigSecret!.Name}{(KubeConfigSecret.Key is { Length: > 0 } key ? $" key '{key}'" : "")}";
}
