using Granary.Grains.Artifacts;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Kubernetes.Client;

namespace Granary.Grains.Deployments;

/// <summary>What Kustomization grains share in a silo: the target cluster's client, the builder, the extractor, scratch space.</summary>
/// <param name="Cluster">The cluster Kustomizations apply to (and read substitution and decryption Secrets from).</param>
/// <param name="Builder">Renders manifests with kustomize.</param>
/// <param name="Extractor">Unpacks source artifacts safely.</param>
/// <param name="ScratchDirectory">Where artifacts are unpacked for a build (deleted afterwards).</param>
public sealed record KustomizationEnvironment(KubernetesClient Cluster, KustomizeBuilder Builder, ArtifactExtractor Extractor, string ScratchDirectory);
