using Granary.Grains.Kubernetes.Client;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Host;

/// <summary>
/// A host whose management cluster is a local control plane, with a namespace there for Kustomizations to apply into; the
/// <c>granary</c> client verbs run against it as in <see cref="Cli.CliTestBase"/>.
/// </summary>
public abstract class HostOnClusterTestBase(LocalKubernetes kubernetes) : Cli.CliTestBase
{
    private KubernetesClient _client = null!;

    /// <summary>The cluster namespace objects are applied into.</summary>
    protected TestNamespace Target { get; private set; } = null!;

    /// <summary>The local control plane.</summary>
    protected LocalCluster Cluster => kubernetes.Cluster;

    protected override async Task<KubernetesClient?> ClusterAsync()
    {
        Target = await kubernetes.Cluster.CreateNamespaceAsync("host");
        return _client = Manifests.Client(kubernetes.Cluster);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _client.Dispose();
        await Target.DisposeAsync();
    }

    /// <summary>A Kustomization of <c>./apps</c> from GitRepository <c>fleet</c> into <see cref="Target"/>, with prune.</summary>
    protected string KustomizationYaml(string name) => KustomizationAt(name, "./apps", "interval: 10m", "retryInterval: 1s", $"targetNamespace: {Target}");

    /// <summary>A ConfigMap manifest with one value.</summary>
    protected static string ConfigMap(string name, string value) =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  value: \"{value}\"\n";

    /// <summary>The value of a ConfigMap in <see cref="Target"/>, or null when it does not exist.</summary>
    protected async Task<string?> ConfigMapValueAsync(string name) =>
        (await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Target}/configmaps/{name}"))?["data"]?["value"]?.GetValue<string>();
}
