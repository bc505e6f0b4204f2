using Granary.Contracts.Resources;
using Granary.Testing;
using Granary.Testing.Git;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Charts_from_a_git_repository_install(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>, IDisposable
{
    private readonly TestGitRepository _git = TestGitRepository.Create();

    public void Dispose() => _git.Dispose();

    private void CommitChart(TestChart chart) =>
        _git.Commit(chart.AllFiles().ToDictionary(f => $"charts/{chart.Name}/{f.Key}", f => f.Value));

    private Task<Granary.Contracts.Releases.HelmReleaseStatus> ApplyGitReleaseAsync(string path) => ApplyReleaseAsync("web", "*", spec => spec with
    {
        Chart = new HelmChartTemplate
        {
            Spec = new HelmChartTemplateSpec { Chart = path, SourceRef = new CrossNamespaceObjectReference { Kind = "GitRepository", Name = "fleet" } },
        },
    });

    [Fact]
    public async Task A_chart_directory_is_installed_and_a_new_commit_of_it_upgrades_the_release()
    {
        CommitChart(new TestChart("demo", "0.1.0"));
        await Silo.Grains.Get<Granary.Contracts.Sources.IGitRepositoryGrain>($"{Namespace}/fleet").ApplyAsync(new GitRepository
        {
            ApiVersion = GitRepository.Version,
            Kind = "GitRepository",
            Metadata = new ObjectMetadata { Name = "fleet", Namespace = Namespace.Name },
            Spec = new GitRepositorySpec { Url = _git.Url, Interval = GoDuration.Parse("10m"), Ref = new GitRepositoryRef { Branch = "main" } },
        });

        var installed = await ApplyGitReleaseAsync("./charts/demo");
        Assert.True(installed.IsReady, Why(installed));
        Assert.Equal("0.1.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());

        // An unrelated commit packs the same chart: nothing to upgrade.
        _git.Commit(new Dictionary<string, string> { ["README.md"] = "docs" });
        await Silo.Grains.Get<Granary.Contracts.Sources.IGitRepositoryGrain>($"{Namespace}/fleet").ReconcileAsync();
        Assert.Equal(1, (await Release("web").ReconcileAsync()).LastRelease);

        CommitChart(new TestChart("demo", "0.2.0"));
        await Silo.Grains.Get<Granary.Contracts.Sources.IGitRepositoryGrain>($"{Namespace}/fleet").ReconcileAsync();
        await Eventually.WaitUntilAsync(async () => (await Release("web").GetStatusAsync()).LastAppliedRevision == "0.2.0", Deadline, "the new chart commit to be upgraded to");
        Assert.Equal("0.2.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_path_without_a_chart_is_an_artifact_failure()
    {
        CommitChart(new TestChart("demo", "0.1.0"));
        await Silo.Grains.Get<Granary.Contracts.Sources.IGitRepositoryGrain>($"{Namespace}/fleet").ApplyAsync(new GitRepository
        {
            ApiVersion = GitRepository.Version,
            Kind = "GitRepository",
            Metadata = new ObjectMetadata { Name = "fleet", Namespace = Namespace.Name },
            Spec = new GitRepositorySpec { Url = _git.Url, Interval = GoDuration.Parse("10m"), Ref = new GitRepositoryRef { Branch = "main" } },
        });

        var status = await ApplyGitReleaseAsync("./charts/missing");

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("ArtifactFailed", ready.Reason);
        Assert.Contains("has no Chart.yaml", ready.Message);
    }
}
