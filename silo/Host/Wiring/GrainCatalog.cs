using Granary.Contracts.Clusters;
using Granary.Contracts.Deployments;
using Granary.Contracts.Releases;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Sources;
using Granary.Grains.Clusters;
using Granary.Grains.Deployments;
using Granary.Grains.Releases;
using Granary.Grains.Sources.Helm;
using Granary.Grains.Sources.Oci;
using Granary.Grains.Sources;
using Granary.Runtime;
using Granary.Silo.Resources;

namespace Granary.Silo.Wiring;

/// <summary>
/// The one place that says which resource grains a silo hosts: each line registers a grain class with its factory
/// and the API's adapter for the kind. A new kind (HelmRepository, HelmRelease, Cluster) is one more line.
/// </summary>
public static class GrainCatalog
{
    /// <summary>Registers every resource grain and its event types in <paramref name="options"/>; returns the kinds the API serves.</summary>
    public static ResourceKinds Register(SiloOptions options, GrainServices services)
    {
        options.EventTypes.RegisterAnnotated(typeof(Applied).Assembly);
        var kinds = new ResourceKinds();
        Add<IGitRepositoryGrain, GitRepositoryGrain>(options, kinds, () => new GitRepositoryGrain(services.Git, services.Secrets), new GitRepositoryKind());
        Add<IKustomizationGrain, KustomizationGrain>(options, kinds, () => new KustomizationGrain(services.Kustomizations), new KustomizationKind());

        var resolver = new ClusterConnectionResolver(services.Secrets);
        Add<IClusterGrain, ClusterGrain>(options, kinds, () => new ClusterGrain(resolver), new ClusterKind());
        Add<IHelmRepositoryGrain, HelmRepositoryGrain>(options, kinds, () => new HelmRepositoryGrain(services.HelmRepositories, services.Secrets), new HelmRepositoryKind());
        Add<IHelmChartGrain, HelmChartGrain>(options, kinds, () => new HelmChartGrain(), new HelmChartKind());
        Add<IOCIRepositoryGrain, OCIRepositoryGrain>(options, kinds, () => new OCIRepositoryGrain(services.HelmRepositories, services.Secrets), new OCIRepositoryKind());
        Add<IHelmReleaseGrain, HelmReleaseGrain>(options, kinds, () => new HelmReleaseGrain(services.HelmReleases), new HelmReleaseKind());
        options.Grains.Add<IClusterDirectoryGrain, ClusterDirectoryGrain>();
        return kinds;
    }

    private static void Add<TInterface, TGrain>(SiloOptions options, ResourceKinds kinds, Func<TGrain> factory, ResourceKind kind)
        where TInterface : IGrain
        where TGrain : Grain, TInterface
    {
        options.Grains.Add<TInterface, TGrain>(factory);
        kinds.Add(kind);
    }
}
