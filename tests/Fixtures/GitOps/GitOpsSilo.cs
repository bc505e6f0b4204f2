using Granary.Contracts.Deployments;
using Granary.Contracts.Events;
using Granary.Contracts.Sources;
using Granary.Grains.Artifacts;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Clusters;
using Granary.Grains.Deployments;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Secrets;
using Granary.Grains.Sources;
using Granary.Grains.Sources.Git;
using Granary.Runtime;
using Granary.Testing.Fleet;
using Granary.Testing.Runtime;

namespace Granary.Testing.GitOps;

/// <summary>
/// A test silo hosting GitRepository and Kustomization grains that apply to <c>cluster</c> (the management cluster, where
/// referenced Secrets live), and the fleet grains (Cluster, directory) for Kustomizations that target other clusters; caches
/// and scratch space under one directory.
/// </summary>
public static class GitOpsSilo
{
    /// <summary>Starts the silo; <paramref name="scratch"/> holds the git cache, artifacts being built and builds (the caller deletes it).</summary>
    public static async Task<TestSilo> StartAsync(KubernetesClient cluster, string scratch)
    {
        var limits = new ArtifactLimits();
        var git = new GitSource(
            new GitClient(new GitClientOptions { CacheDirectory = Path.Combine(scratch, "cache"), ScratchDirectory = Path.Combine(scratch, "tmp") }),
            new ArtifactBuilder(limits), new ArtifactExtractor(limits), Path.Combine(scratch, "work"));
        var secrets = new ClusterSecretReader(cluster);
        TestSilo? silo = null;
        var fleet = new ClusterClients(() => silo?.Grains ?? throw new InvalidOperationException("The silo has not started yet."), secrets);
        var environment = new KustomizationEnvironment(cluster, new KustomizeBuilder(new KustomizeOptions { KubectlPath = Tools.Kubectl }), new ArtifactExtractor(limits), Path.Combine(scratch, "builds"))
        {
            Fleet = fleet,
        };
        silo = await TestSilo.StartAsync(c =>
        {
            var options = new SiloOptions { ConnectionString = c.ConnectionString, Schema = c.Schema, ReminderPollInterval = TimeSpan.FromMilliseconds(200) }.AddFleet(secrets);
            options.Grains
                .Add<IGitRepositoryGrain, GitRepositoryGrain>(() => new GitRepositoryGrain(git, secrets))
                .Add<IKustomizationGrain, KustomizationGrain>(() => new KustomizationGrain(environment));
            options.EventTypes.RegisterAnnotated(typeof(Applied).Assembly);
            return options;
        });
        return silo;
    }
}
