using Granary.Contracts.Resources;
using Granary.Testing;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.GitOps;

/// <summary>A Kustomization applies to another cluster through Flux's kubeConfig Secret or a Granary Cluster (clusterRef).</summary>
public sealed class Kustomizations_apply_to_other_clusters(LocalKubernetes kubernetes) : GitOpsTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_kubeConfig_secret_and_a_clusterRef_reach_the_other_cluster_and_the_management_cluster_stays_untouched()
    {
        var remote = await OtherClusterAsync("secondary");
        var target = $"remote-{Guid.NewGuid():N}"[..20];
        Repository.Commit(new Dictionary<string, string>
        {
            ["remote/namespace.yaml"] = $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {target}\n",
            ["remote/config.yaml"] = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {target}\ndata:\n  value: \"v1\"\n",
        });
        await WriteKubeconfigSecretAsync("remote", remote);
        await ApplySourceAsync();
        try
        {
            var byKubeConfig = await ApplyKustomizationAsync("by-kubeconfig", "./remote", s => s with
            {
                TargetNamespace = null,
                KubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = "remote" } },
            });
            Assert.True(byKubeConfig.IsReady, byKubeConfig.Conditions.First().Message);
            Assert.Equal("v1", (await remote.Admin.GetAsync($"/api/v1/namespaces/{target}/configmaps/settings"))?["data"]?["value"]?.GetValue<string>());
            Assert.Null(await Cluster.Admin.GetAsync($"/api/v1/namespaces/{target}"));

            // The same objects through a Cluster: the engine finds them already applied (same field manager and owner).
            await ApplyClusterAsync("remote");
            var byClusterRef = await ApplyKustomizationAsync("by-kubeconfig", "./remote", s => s with
            {
                TargetNamespace = null,
                ClusterRef = new LocalObjectReference { Name = "remote" },
            });
            Assert.True(byClusterRef.IsReady, byClusterRef.Conditions.First().Message);
            Assert.Contains($"{target}_settings__ConfigMap", byClusterRef.Inventory);

            // Deleting prunes on the target cluster.
            await KustomizationGrain("by-kubeconfig").DeleteAsync();
            await Eventually.WaitUntilAsync(async () => await remote.Admin.GetAsync($"/api/v1/namespaces/{target}/configmaps/settings") is null, Deadline, "the ConfigMap to be pruned from the other cluster");
        }
        finally
        {
            await remote.Admin.DeleteAsync($"/api/v1/namespaces/{target}");
        }
    }

    [Fact]
    public async Task A_missing_Cluster_or_two_targets_fail_with_the_field_and_the_fix()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/config.yaml"] = ConfigMap("settings", "v1") });
        await ApplySourceAsync();

        var missing = await ApplyKustomizationAsync("missing", "./apps", s => s with { ClusterRef = new LocalObjectReference { Name = "nowhere" } });
        var both = await ApplyKustomizationAsync("both", "./apps", s => s with
        {
            ClusterRef = new LocalObjectReference { Name = "nowhere" },
            KubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = "nothing" } },
        });

        Assert.False(missing.IsReady);
        Assert.Contains("nowhere", missing.Conditions.First().Message);
        Assert.Contains("spec.kubeConfig and spec.clusterRef are both set", both.Conditions.First().Message);
        Assert.Null(await ConfigMapValueAsync("settings"));
    }
}
