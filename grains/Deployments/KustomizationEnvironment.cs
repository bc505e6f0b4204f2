using Granary.Grains.Artifacts;
using Granary.Grains.Build;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Clusters;
using Granary.Grains.Resources;
using Granary.Grains.Kubernetes.Client;

namespace Granary.Grains.Deployments;

/// <summary>What Kustomization grains share in a silo: the target cluster's client, the builder, the extractor, scratch space.</summary>
/// <param name="Cluster">The cluster Kustomizations apply to (and read substitution and decryption Secrets from).</param>
/// <param name="Builder">Renders manifests with kustomize.</param>
/// <param name="Extractor">Unpacks source artifacts safely.</param>
/// <param name="ScratchDirectory">Where artifacts are unpacked for a build (deleted afterwards).</param>
public sealed record KustomizationEnvironment(KubernetesClient Cluster, KustomizeBuilder Builder, ArtifactExtractor Extractor, string ScratchDirectory)
{
    private readonly ServiceAccountClients _accounts = new(Cluster);

    /// <summary>Clients for other clusters (<c>kubeConfig</c>, <c>clusterRef</c>, <c>clusterSelector</c>); null when the silo manages only its own.</summary>
    public ClusterClients? Fleet { get; init; }

    /// <summary>
    /// The Granary resources a Kustomization applying to this silo's cluster declares to Granary itself when its build holds
    /// them (Flux kinds, Clusters), as Flux's controllers pick up the Flux objects of the cluster they run in.
    /// </summary>
    public GranaryResources Resources { get; init; } = GranaryResources.Standard();

    /// <summary>Renders a Kustomization's manifests from its source artifact (shared with <c>granary build</c>).</summary>
    public KustomizationRenderer Renderer { get; } = new(Builder, Extractor, ScratchDirectory);

    /// <summary>Source artifacts read into memory, shared by every Kustomization of the silo.</summary>
    public ArtifactCache Artifacts { get; } = new(Extractor);

    /// <summary>
    /// The client that applies for a Kustomization: the cluster's own, or one impersonating
    /// <c>system:serviceaccount:&lt;namespace&gt;:&lt;serviceAccountName&gt;</c> (as Flux does), cached per account.
    /// </summary>
    public KubernetesClient ClientFor(string @namespace, string? serviceAccountName) => _accounts.For(@namespace, serviceAccountName);
}
