using Granary.Grains.Artifacts;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Deployments;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Secrets;
using Granary.Grains.Sources.Git;

namespace Granary.Silo.Wiring;

/// <summary>
/// The engines the resource grains of a silo share: git with its cache, the artifact builder and extractor, the
/// kustomize builder, the management cluster's client and Secret reader, and scratch space — all under one data directory.
/// </summary>
public sealed class GrainServices
{
    /// <summary>Creates the engines; <paramref name="dataDirectory"/> gets <c>git-cache</c>, <c>git-scratch</c>, <c>artifacts</c> and <c>builds</c>.</summary>
    public GrainServices(KubernetesClient cluster, string dataDirectory, string kubectlPath)
    {
        Directory.CreateDirectory(dataDirectory);
        var limits = new ArtifactLimits();
        Cluster = cluster;
        Secrets = new ClusterSecretReader(cluster);
        Git = new GitSource(
            new GitClient(new GitClientOptions { CacheDirectory = Path.Combine(dataDirectory, "git-cache"), ScratchDirectory = Path.Combine(dataDirectory, "git-scratch") }),
            new ArtifactBuilder(limits), new ArtifactExtractor(limits), Path.Combine(dataDirectory, "artifacts"));
        Kustomizations = new KustomizationEnvironment(cluster, new KustomizeBuilder(new KustomizeOptions { KubectlPath = kubectlPath }), new ArtifactExtractor(limits), Path.Combine(dataDirectory, "builds"));
    }

    /// <summary>The management cluster.</summary>
    public KubernetesClient Cluster { get; }

    /// <summary>Reads referenced Secrets from the management cluster.</summary>
    public ISecretReader Secrets { get; }

    /// <summary>Fetches Git repositories into artifacts.</summary>
    public GitSource Git { get; }

    /// <summary>What Kustomization grains share.</summary>
    public KustomizationEnvironment Kustomizations { get; }
}
