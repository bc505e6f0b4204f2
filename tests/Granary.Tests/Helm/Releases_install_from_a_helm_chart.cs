using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing;
using Granary.Testing.Git;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Releases_install_from_a_helm_chart(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_chartRef_to_a_helm_chart_installs_its_artifact_and_a_new_published_version_upgrades_the_release()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0"));
        await ApplyRepositoryAsync();

        var chart = await ApplyHelmChartAsync("demo", "^1.0.0");

        Assert.True(chart.IsReady, string.Join("; ", chart.Conditions.Select(c => c.Message)));
        Assert.Equal("1.0.0", chart.Artifact!.Revision);
        Assert.Equal(chart.Artifact.Digest, Granary.EventStore.Blobs.BlobStore.DigestOf((await Silo.Silo.EventStore.Blobs.GetAsync(chart.Artifact.Digest))!));

        var status = await ApplyReleaseAsync("web", "ignored", ChartRef("HelmChart", "demo"));

        Assert.True(status.IsReady, Why(status));
        Assert.Equal("1.0.0", status.LastAppliedRevision);
        Assert.Equal("1.0.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());

        Charts.Add(false, new TestChart("demo", "1.1.0"));
        await Repository().RequestReconcileAsync(); // the index changes: the HelmChart pulls 1.1.0 and tells the release

        await Eventually.WaitUntilAsync(async () => (await Release("web").GetStatusAsync()).LastAppliedRevision == "1.1.0", Deadline, "the release upgraded to 1.1.0");
        Assert.Equal("1.1.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());
        Assert.Equal(["demo-1.0.0", "demo-1.1.0"], (await Release("web").GetHistoryAsync()).Select(r => r.Chart));
        Assert.Equal(["1.0.0", "1.1.0"], (await EventsAsync($"helmchart/{Namespace}/demo")).OfType<HelmChartArtifactStored>().Select(e => e.Version));
    }

    [Fact]
    public async Task An_unchanged_chart_appends_nothing_and_a_failure_is_recorded_once()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0"));
        await ApplyRepositoryAsync();
        await ApplyHelmChartAsync("demo", "*");
        var before = (await EventsAsync($"helmchart/{Namespace}/demo")).Count;

        await HelmChart("demo").ReconcileAsync();
        await HelmChart("demo").ReconcileAsync();
        Assert.Equal(before, (await EventsAsync($"helmchart/{Namespace}/demo")).Count);

        var failing = await ApplyHelmChartAsync("demo", ">=9.0.0");
        await HelmChart("demo").ReconcileAsync();

        var ready = failing.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("NoMatchingVersion", ready.Reason);
        Assert.Contains($"HelmRepository {Namespace}/charts", ready.Message);
        Assert.Contains("change spec.version", ready.Message);
        Assert.Single((await EventsAsync($"helmchart/{Namespace}/demo")).OfType<HelmChartPullFailed>());
    }

    [Fact]
    public async Task The_helm_charts_values_files_are_merged_by_the_release()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0") { Files = new Dictionary<string, string> { ["values-prod.yaml"] = "greeting: hello from prod\n" } });
        await ApplyRepositoryAsync();
        await ApplyHelmChartAsync("demo", "1.0.0", spec => spec with { ValuesFiles = ["values.yaml", "values-prod.yaml"] });

        var status = await ApplyReleaseAsync("web", "ignored", ChartRef("HelmChart", "demo"));

        Assert.True(status.IsReady, Why(status));
        Assert.Equal("hello from prod", (await ConfigMapDataAsync("web-settings"))!["greeting"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_helm_chart_packs_a_chart_from_a_git_repository()
    {
        using var repository = TestGitRepository.Create();
        var commit = repository.Commit(new TestChart("demo", "0.3.0").AllFiles().ToDictionary(f => $"charts/demo/{f.Key}", f => f.Value));
        await Silo.Grains.Get<Granary.Contracts.Sources.IGitRepositoryGrain>($"{Namespace}/fleet").ApplyAsync(new GitRepository
        {
            ApiVersion = GitRepository.Version,
            Kind = "GitRepository",
            Metadata = new ObjectMetadata { Name = "fleet", Namespace = Namespace.Name },
            Spec = new GitRepositorySpec { Url = repository.Url, Interval = GoDuration.Parse("10m"), Ref = new GitRepositoryRef { Branch = "main" } },
        });

        var chart = await ApplyHelmChartAsync("demo", "*", spec => spec with
        {
            Chart = "./charts/demo",
            SourceRef = new LocalHelmChartSourceReference { Kind = "GitRepository", Name = "fleet" },
            ReconcileStrategy = "Revision",
        });

        Assert.True(chart.IsReady, string.Join("; ", chart.Conditions.Select(c => c.Message)));
        Assert.Equal($"0.3.0+{commit[..12]}", chart.Artifact!.Revision);
        var status = await ApplyReleaseAsync("web", "ignored", ChartRef("HelmChart", "demo"));
        Assert.True(status.IsReady, Why(status));
        Assert.Equal("0.3.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());
    }
}
