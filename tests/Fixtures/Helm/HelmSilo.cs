using Granary.Contracts.Events;
using Granary.Contracts.Releases;
using Granary.Contracts.Sources;
using Granary.Grains.Artifacts;
using Granary.Grains.Clusters;
using Granary.Grains.Sources;
using Granary.Grains.Sources.Git;
using Granary.Grains.Releases;
using Granary.Grains.Secrets;
using Granary.Grains.Sources.Helm;
using Granary.Grains.Sources.Oci;
using Granary.Grains.Kubernetes.Client;
using Granary.Runtime;
using Granary.Testing.Fleet;
using Granary.Testing.Runtime;

namespace Granary.Testing.Helm;

/// <summary>
/// A test silo hosting HelmRepository, HelmChart, OCIRepository, GitRepository (chart sources too) and HelmRelease grains that install into <c>cluster</c>
/// (the management cluster) or, through the fleet grains, into Clusters; scratch space under one directory.
/// </summary>
public static class HelmSilo
{
    /// <summary>Starts the silo; <paramref name="scratch"/> holds renders in progress (the caller deletes it). <paramref name="environment"/> exposes render statistics.</summary>
    public static Task<TestSilo> StartAsync(KubernetesClient cluster, string scratch, out HelmReleaseEnvironment environment, HttpClient? http = null)
    {
        var client = new HelmRepositoryClient(http ?? SharedHttp, new HelmRepositoryLimits());
        var renderer = new HelmTemplateRenderer(new HelmRendererOptions { HelmPath = Tools.Helm, ScratchDirectory = Directory.CreateDirectory(Path.Combine(scratch, "helm")).FullName });
        var secrets = new ClusterSecretReader(cluster);
        TestSilo? silo = null;
        var fleet = new ClusterClients(() => silo?.Grains ?? throw new InvalidOperationException("The silo has not started yet."), secrets);
        var releases = new HelmReleaseEnvironment(cluster, renderer, new ClusterCapabilitiesReader(cluster, TimeProvider.System)) { Fleet = fleet };
        environment = releases;
        var limits = new ArtifactLimits();
        var git = new GitSource(
            new GitClient(new GitClientOptions { CacheDirectory = Path.Combine(scratch, "cache"), ScratchDirectory = Path.Combine(scratch, "tmp") }),
            new ArtifactBuilder(limits), new ArtifactExtractor(limits), Path.Combine(scratch, "work"));
        return StartAsync();

        async Task<TestSilo> StartAsync() => silo = await TestSilo.StartAsync(c =>
        {
            var options = new SiloOptions { ConnectionString = c.ConnectionString, Schema = c.Schema, ReminderPollInterval = TimeSpan.FromMilliseconds(200) }.AddFleet(secrets);
            Register(options, client, releases, secrets);
            options.Grains.Add<IGitRepositoryGrain, GitRepositoryGrain>(() => new GitRepositoryGrain(git, secrets));
            options.EventTypes.RegisterAnnotated(typeof(ReleaseInstalled).Assembly);
            return options;
        });
    }

    /// <summary>Adds the Helm grains to <paramref name="options"/> (their events live in the contracts assembly, registered once per silo).</summary>
    public static void Register(SiloOptions options, HelmRepositoryClient client, HelmReleaseEnvironment releases, ISecretReader secrets)
    {
        options.Grains
            .Add<IHelmRepositoryGrain, HelmRepositoryGrain>(() => new HelmRepositoryGrain(client, secrets))
            .Add<IHelmChartGrain, HelmChartGrain>(() => new HelmChartGrain())
            .Add<IOCIRepositoryGrain, OCIRepositoryGrain>(() => new OCIRepositoryGrain(client, secrets))
            .Add<IHelmReleaseGrain, HelmReleaseGrain>(() => new HelmReleaseGrain(releases));
    }

    private static HttpClient SharedHttp { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = Timeout.InfiniteTimeSpan };
}
