using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Contracts.Releases;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Releases;
using Granary.Testing.Helm;
using Granary.Testing.Kubernetes;
using Granary.Testing.Runtime;
using Granary.Tests.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

/// <summary>A silo with HelmRepository and HelmRelease grains, a local Helm repository, and a namespace in a local control plane.</summary>
public abstract class HelmTestBase(LocalKubernetes kubernetes, (string User, string Password)? basicAuth = null) : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _scratch = Directory.CreateTempSubdirectory("granary-helm-").FullName;
    private KubernetesClient _client = null!;

    protected TestHelmRepository Charts { get; } = TestHelmRepository.Start(basicAuth);

    protected TestSilo Silo { get; private set; } = null!;

    protected HelmReleaseEnvironment Environment { get; private set; } = null!;

    protected TestNamespace Namespace { get; private set; } = null!;

    protected LocalCluster Cluster => kubernetes.Cluster;

    public async Task InitializeAsync()
    {
        Namespace = await kubernetes.Cluster.CreateNamespaceAsync("helm");
        _client = Manifests.Client(kubernetes.Cluster);
        Silo = await HelmSilo.StartAsync(_client, _scratch, out var environment);
        Environment = environment;
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        _client.Dispose();
        await Namespace.DisposeAsync();
        await Charts.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    protected IHelmRepositoryGrain Repository(string name = "charts") => Silo.Grains.Get<IHelmRepositoryGrain>($"{Namespace}/{name}");

    protected IHelmChartGrain HelmChart(string name) => Silo.Grains.Get<IHelmChartGrain>($"{Namespace}/{name}");

    protected IOCIRepositoryGrain OciRepository(string name) => Silo.Grains.Get<IOCIRepositoryGrain>($"{Namespace}/{name}");

    /// <summary>Applies a HelmChart of <paramref name="chart"/> at <paramref name="version"/> from the HelmRepository <c>charts</c>.</summary>
    protected Task<SourceStatus> ApplyHelmChartAsync(string name, string version, Func<HelmChartSpec, HelmChartSpec>? change = null, string chart = "demo")
    {
        var spec = new HelmChartSpec
        {
            Chart = chart,
            Version = version,
            SourceRef = new LocalHelmChartSourceReference { Kind = "HelmRepository", Name = "charts" },
            Interval = GoDuration.Parse("10m"),
        };
        return HelmChart(name).ApplyAsync(new HelmChart
        {
            ApiVersion = Granary.Contracts.Resources.HelmChart.Version,
            Kind = "HelmChart",
            Metadata = new ObjectMetadata { Name = name, Namespace = Namespace.Name },
            Spec = change is null ? spec : change(spec),
        });
    }

    /// <summary>Applies an OCIRepository for the chart <paramref name="chart"/> of the test registry (plain HTTP), its Helm layer copied.</summary>
    protected Task<SourceStatus> ApplyOciRepositoryAsync(string name, OCIRepositoryRef reference, Func<OCIRepositorySpec, OCIRepositorySpec>? change = null, string chart = "demo")
    {
        var spec = new OCIRepositorySpec
        {
            Url = $"{Charts.OciUrl}/{chart}",
            Ref = reference,
            Insecure = true,
            LayerSelector = new OCILayerSelector { MediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip", Operation = "copy" },
            Interval = GoDuration.Parse("10m"),
        };
        return OciRepository(name).ApplyAsync(new OCIRepository
        {
            ApiVersion = OCIRepository.Version,
            Kind = "OCIRepository",
            Metadata = new ObjectMetadata { Name = name, Namespace = Namespace.Name },
            Spec = change is null ? spec : change(spec),
        });
    }

    /// <summary>A spec change that takes the chart from <c>chartRef</c> instead of <c>chart</c>.</summary>
    protected static Func<HelmReleaseSpec, HelmReleaseSpec> ChartRef(string kind, string name, string? ns = null) =>
        spec => spec with { Chart = null, ChartRef = new CrossNamespaceObjectReference { Kind = kind, Name = name, Namespace = ns } };

    protected IHelmReleaseGrain Release(string name) => Silo.Grains.Get<IHelmReleaseGrain>($"{Namespace}/{name}");

    protected Task<SourceStatus> ApplyRepositoryAsync(Func<HelmRepositorySpec, HelmRepositorySpec>? change = null, string name = "charts")
    {
        var spec = new HelmRepositorySpec { Url = Charts.Url, Interval = GoDuration.Parse("10m") };
        return Repository(name).ApplyAsync(new HelmRepository
        {
            ApiVersion = HelmRepository.Version,
            Kind = "HelmRepository",
            Metadata = new ObjectMetadata { Name = name, Namespace = Namespace.Name },
            Spec = change is null ? spec : change(spec),
        });
    }

    protected Task<HelmReleaseStatus> ApplyReleaseAsync(string name, string version, Func<HelmReleaseSpec, HelmReleaseSpec>? change = null, string chart = "demo")
    {
        var spec = new HelmReleaseSpec
        {
            Interval = GoDuration.Parse("10m"),
            Timeout = GoDuration.Parse("30s"),
            Chart = new HelmChartTemplate
            {
                Spec = new HelmChartTemplateSpec
                {
                    Chart = chart,
                    Version = version,
                    SourceRef = new CrossNamespaceObjectReference { Kind = "HelmRepository", Name = "charts" },
                },
            },
        };
        return Release(name).ApplyAsync(new HelmRelease
        {
            ApiVersion = HelmRelease.Version,
            Kind = "HelmRelease",
            Metadata = new ObjectMetadata { Name = name, Namespace = Namespace.Name },
            Spec = change is null ? spec : change(spec),
        });
    }

    protected static JsonElement Values(string json) => JsonDocument.Parse(json).RootElement.Clone();

    protected async Task<JsonObject?> ConfigMapDataAsync(string name) =>
        (await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Namespace}/configmaps/{name}"))?["data"] as JsonObject;

    protected async Task CreateAsync(string kind, string name, Dictionary<string, string> data)
    {
        var entries = new JsonObject();
        foreach (var (key, value) in data)
        {
            entries[key] = kind == "Secret" ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value)) : value;
        }

        await Cluster.Admin.CreateAsync($"/api/v1/namespaces/{Namespace}/{(kind == "Secret" ? "secrets" : "configmaps")}", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name },
            ["data"] = entries,
        });
    }

    protected async Task<List<object>> EventsAsync(string stream)
    {
        var events = new List<object>();
        await foreach (var e in Silo.Silo.EventStore.ReadStreamAsync(stream))
        {
            events.Add(e.Data);
        }

        return events;
    }

    protected Task<List<object>> ReleaseEventsAsync(string name) => EventsAsync($"helmrelease/{Namespace}/{name}");

    protected Task<List<object>> RepositoryEventsAsync(string name = "charts") => EventsAsync($"helmrepository/{Namespace}/{name}");

    protected static string Why(HelmReleaseStatus status) => string.Join("; ", status.Conditions.Select(c => $"{c.Type}={c.Status} {c.Reason}: {c.Message}"));
}
