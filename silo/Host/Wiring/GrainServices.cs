using Granary.Grains.Artifacts;
using Granary.Contracts.Grains;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Clusters;
using Granary.Grains.Releases;
using Granary.Grains.Sources.Helm;
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
    public GrainServices(KubernetesClient cluster, string dataDirectory, string kubectlPath, Func<IGrainFactory> grains, string helmPath = "helm")
    {
        Directory.CreateDirectory(dataDirectory);
        var limits = new ArtifactLimits();
        Cluster = cluster;
        Secrets = new ClusterSecretReader(cluster);
        Git = new GitSource(
            new GitClient(new GitClientOptions { CacheDirectory = Path.Combine(dataDirectory, "git-cache"), ScratchDirectory = Path.Combine(dataDirectory, "git-scratch") }),
            new ArtifactBuilder(limits), new ArtifactExtractor(limits), Path.Combine(dataDirectory, "artifacts"));
        Fleet = new ClusterClients(grains, Secrets);
        Kustomizations = new KustomizationEnvironment(cluster, new KustomizeBuilder(new KustomizeOptions { KubectlPath = kubectlPath }), new ArtifactExtractor(limits), Path.Combine(dataDirectory, "builds"))
        {
            Fleet = Fleet,
        };
        HelmRepositories = new HelmRepositoryClient(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan }, new HelmRepositoryLimits());
        HelmReleases = new HelmReleaseEnvironment(
            cluster,
            new HelmTemplateRenderer(new HelmRendererOptions { HelmPath = helmPath, ScratchDirectory = Directory.CreateDirectory(Path.Combine(dataDirectory, "helm")).FullName }),
            new ClusterCapabilitiesReader(cluster, TimeProvider.System))
        {
            Fleet = Fleet,
        };
    }

    /// <summary>Clients for fleet Clusters and kubeconfig Secrets, shared by every grain of the silo.</summary>
    public ClusterClients Fleet { get; }

    /// <summary>Fetches Helm repository indexes and charts.</summary>
    public HelmRepositoryClient HelmRepositories { get; }

    /// <summary>What HelmRelease grains share.</summary>
    public HelmReleaseEnvironment HelmReleases { get; }

    /// <summary>The management cluster.</summary>
    public KubernetesClient Cluster { get; }

    /// <summary>Reads referenced Secrets from the management cluster.</summary>
    public ISecretReader Secrets { get; }

    /// <summary>Fetches Git repositories into artifacts.</summary>
    public GitSource Git { get; }

    /// <summary>What Kustomization grains share.</summary>
    public KustomizationEnvironment Kustomizations { get; }
}
