using Granary.Testing.Git;
using Granary.Contracts.Deployments;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Kubernetes.Client;
using Granary.Testing;
using Granary.Testing.GitOps;
using Granary.Testing.Kubernetes;
using Granary.Testing.Runtime;
using Granary.Tests.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.GitOps;

/// <summary>A silo with GitRepository and Kustomization grains, a real git repository, and a namespace in a local control plane.</summary>
public abstract class GitOpsTestBase(LocalKubernetes kubernetes) : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _scratch = Directory.CreateTempSubdirectory("granary-gitops-").FullName;
    private KubernetesClient _client = null!;

    protected TestGitRepository Repository { get; } = TestGitRepository.Create();

    protected TestSilo Silo { get; private set; } = null!;

    protected TestNamespace Namespace { get; private set; } = null!;

    protected LocalCluster Cluster => kubernetes.Cluster;

    /// <summary>Another shared local cluster (same etcd, its own API server), started on first use.</summary>
    protected static Task<LocalCluster> OtherClusterAsync(string name) => SharedControlPlanes.ClusterAsync(name);

    public async Task InitializeAsync()
    {
        Namespace = await kubernetes.Cluster.CreateNamespaceAsync("gitops");
        _client = Manifests.Client(kubernetes.Cluster);
        Silo = await GitOpsSilo.StartAsync(_client, _scratch);
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        _client.Dispose();
        await Namespace.DisposeAsync();
        Repository.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    protected IGitRepositoryGrain Source => Silo.Grains.Get<IGitRepositoryGrain>($"{Namespace}/fleet");

    protected IKustomizationGrain KustomizationGrain(string name) => Silo.Grains.Get<IKustomizationGrain>($"{Namespace}/{name}");

    protected Task<SourceStatus> ApplySourceAsync(string? secretName = null) => Source.ApplyAsync(new GitRepository
    {
        ApiVersion = GitRepository.Version,
        Kind = "GitRepository",
        Metadata = new ObjectMetadata { Name = "fleet", Namespace = Namespace.Name },
        Spec = new GitRepositorySpec
        {
            Url = Repository.Url,
            Interval = GoDuration.Parse("10m"),
            Ref = new GitRepositoryRef { Branch = "main" },
            SecretRef = secretName is null ? null : new LocalObjectReference { Name = secretName },
        },
    });

    protected Task<DeploymentStatus> ApplyKustomizationAsync(string name, string path, Func<KustomizationSpec, KustomizationSpec>? change = null)
    {
        var spec = new KustomizationSpec
        {
            SourceRef = new CrossNamespaceSourceReference { Kind = "GitRepository", Name = "fleet" },
            Path = path,
            Interval = GoDuration.Parse("10m"),
            RetryInterval = GoDuration.Parse("1s"),
            Prune = true,
            TargetNamespace = Namespace.Name,
        };
        return KustomizationGrain(name).ApplyAsync(new Kustomization
        {
            ApiVersion = Kustomization.Version,
            Kind = "Kustomization",
            Metadata = new ObjectMetadata { Name = name, Namespace = Namespace.Name },
            Spec = change is null ? spec : change(spec),
        });
    }

    /// <summary>Writes a kubeconfig Secret (key <c>value</c>) for <paramref name="cluster"/> in the test namespace of the management cluster, reaching it at <paramref name="server"/>.</summary>
    protected async Task WriteKubeconfigSecretAsync(string name, LocalCluster cluster, Uri? server = null)
    {
        var kubeconfig = await File.ReadAllTextAsync(cluster.WriteKubeconfig(new ClusterUser("admin", cluster.AdminToken), server));
        var secret = new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name },
            ["stringData"] = new System.Text.Json.Nodes.JsonObject { ["value"] = kubeconfig },
        };
        await Cluster.Admin.CreateAsync($"/api/v1/namespaces/{Namespace}/secrets", secret);
    }

    /// <summary>Declares a Granary Cluster reached through the kubeconfig Secret of the same name.</summary>
    protected Task<Granary.Contracts.Clusters.ClusterStatus> ApplyClusterAsync(string name, Dictionary<string, string>? labels = null) =>
        Silo.Grains.Get<Granary.Contracts.Clusters.IClusterGrain>($"{Namespace}/{name}").ApplyAsync(new Granary.Contracts.Resources.Cluster
        {
            ApiVersion = Granary.Contracts.Resources.Cluster.Version,
            Kind = "Cluster",
            Metadata = new ObjectMetadata { Name = name, Namespace = Namespace.Name, Labels = labels },
            Spec = new ClusterSpec
            {
                KubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = name } },
                Timeout = GoDuration.Parse("5s"),
            },
        });

    /// <summary>Creates Secret <c>sops-age</c> in the test namespace holding an age key file, for <see cref="WithSopsDecryption"/>.</summary>
    protected Task CreateAgeKeySecretAsync(string keyFile) =>
        Cluster.Admin.CreateAsync($"/api/v1/namespaces/{Namespace}/secrets", new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "sops-age" },
            ["data"] = new System.Text.Json.Nodes.JsonObject { ["age.agekey"] = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(keyFile)) },
        });

    /// <summary>A spec that decrypts SOPS files with the Secret of <see cref="CreateAgeKeySecretAsync"/>.</summary>
    protected static KustomizationSpec WithSopsDecryption(KustomizationSpec spec) =>
        spec with { Decryption = new Decryption { Provider = "sops", SecretRef = new LocalObjectReference { Name = "sops-age" } } };

    protected static string ConfigMap(string name, string value) =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  value: \"{value}\"\n";

    protected async Task<string?> ConfigMapValueAsync(string name) =>
        (await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Namespace}/configmaps/{name}"))?["data"]?["value"]?.GetValue<string>();

    protected async Task<List<T>> EventsAsync<T>(string name)
    {
        var events = new List<T>();
        await foreach (var e in Silo.Silo.EventStore.ReadStreamAsync($"kustomization/{Namespace}/{name}"))
        {
            if (e.Data is T typed)
            {
                events.Add(typed);
            }
        }

        return events;
    }
}
