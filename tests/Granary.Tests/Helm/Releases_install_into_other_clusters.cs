using System.Text.Json.Nodes;
using Granary.Contracts.Clusters;
using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

/// <summary>A HelmRelease installs into another cluster through a Granary Cluster (clusterRef) or Flux's kubeConfig Secret.</summary>
public sealed class Releases_install_into_other_clusters(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_release_with_a_clusterRef_lands_on_that_cluster_and_uninstalls_from_it()
    {
        var remote = await SharedControlPlanes.ClusterAsync("secondary");
        var target = $"helm-{Guid.NewGuid():N}"[..20];
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();
        var kubeconfig = await File.ReadAllTextAsync(remote.WriteKubeconfig(new ClusterUser("admin", remote.AdminToken)));
        await CreateAsync("Secret", "remote", new() { ["value"] = kubeconfig });
        await Silo.Grains.Get<IClusterGrain>($"{Namespace}/remote").ApplyAsync(new Granary.Contracts.Resources.Cluster
        {
            ApiVersion = Granary.Contracts.Resources.Cluster.Version,
            Kind = "Cluster",
            Metadata = new ObjectMetadata { Name = "remote", Namespace = Namespace.Name },
            Spec = new ClusterSpec { KubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = "remote" } } },
        });
        try
        {
            var installed = await ApplyReleaseAsync("web", "0.1.0", s => s with
            {
                ClusterRef = new LocalObjectReference { Name = "remote" },
                TargetNamespace = target,
                ReleaseName = "web",
                Install = new HelmInstall { CreateNamespace = true },
            });

            Assert.True(installed.IsReady, Why(installed));
            Assert.NotNull(await remote.Admin.GetAsync($"/api/v1/namespaces/{target}/configmaps/web-settings"));
            Assert.Null(await Cluster.Admin.GetAsync($"/api/v1/namespaces/{target}"));

            await Release("web").DeleteAsync();
            Assert.Null(await remote.Admin.GetAsync($"/api/v1/namespaces/{target}/configmaps/web-settings"));
        }
        finally
        {
            await remote.Admin.DeleteAsync($"/api/v1/namespaces/{target}");
        }
    }

    [Fact]
    public async Task A_missing_Cluster_fails_naming_it()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();

        var failed = await ApplyReleaseAsync("web", "0.1.0", s => s with { ClusterRef = new LocalObjectReference { Name = "nowhere" } });

        Assert.False(failed.IsReady);
        Assert.Contains("nowhere", Why(failed));
    }
}
