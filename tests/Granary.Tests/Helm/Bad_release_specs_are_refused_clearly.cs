using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Bad_release_specs_are_refused_clearly(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Theory]
    [InlineData("kubeConfig", "spec.kubeConfig and spec.clusterRef are both set", "Reconciling")]
    [InlineData("clusterRef", "Cluster", "Reconciling")]
    [InlineData("strategy", "spec.upgrade.remediation.strategy 'recreate' is not a strategy; use rollback or uninstall", "Stalled")]
    [InlineData("crds", "spec.install.crds 'Always' is not a CRD policy; use Skip, Create or CreateReplace", "Stalled")]
    [InlineData("drift", "spec.driftDetection.mode 'on' is not a mode; use enabled, warn or disabled", "Stalled")]
    [InlineData("source", "spec.chart.spec.sourceRef.kind Bucket is not supported yet; use HelmRepository or GitRepository", "Stalled")]
    [InlineData("chartAndChartRef", "spec.chart and spec.chartRef are both set; a HelmRelease takes its chart from one, so remove one", "Stalled")]
    [InlineData("chartRefKind", "spec.chartRef.kind HelmRepository is not a chart source; use OCIRepository or HelmChart", "Stalled")]
    [InlineData("noChart", "spec.chart or spec.chartRef is required", "Stalled")]
    [InlineData("ignore", "spec.driftDetection.ignore is not supported yet; remove it", "Stalled")]
    public async Task The_condition_names_the_field_and_the_fix(string problem, string message, string condition)
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();

        var status = await ApplyReleaseAsync("bad", "0.1.0", spec => problem switch
        {
            "kubeConfig" => spec with { KubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = "remote" } }, ClusterRef = new LocalObjectReference { Name = "prod-eu" } },
            "clusterRef" => spec with { ClusterRef = new LocalObjectReference { Name = "prod-eu" } },
            "strategy" => spec with { Upgrade = new HelmUpgrade { Remediation = new HelmUpgradeRemediation { Strategy = "recreate" } } },
            "crds" => spec with { Install = new HelmInstall { Crds = "Always" } },
            "drift" => spec with { DriftDetection = new DriftDetection { Mode = "on" } },
            "ignore" => spec with { DriftDetection = new DriftDetection { Mode = "enabled", Ignore = Values("""[{"paths": ["/spec/replicas"]}]""") } },
            "source" => spec with { Chart = spec.Chart! with { Spec = spec.Chart.Spec with { SourceRef = new CrossNamespaceObjectReference { Kind = "Bucket", Name = "b" } } } },
            "chartAndChartRef" => spec with { ChartRef = new CrossNamespaceObjectReference { Kind = "OCIRepository", Name = "x" } },
            "chartRefKind" => spec with { Chart = null, ChartRef = new CrossNamespaceObjectReference { Kind = "HelmRepository", Name = "charts" } },
            _ => spec with { Chart = null },
        });

        Assert.False(status.IsReady);
        Assert.Contains(message, status.Conditions.Single(c => c.Type == "Ready").Message);
        Assert.Contains(status.Conditions, c => c.Type == condition);
        Assert.Null(await ConfigMapDataAsync("bad-settings"));
        await Release("bad").ReconcileAsync();
        Assert.Single((await ReleaseEventsAsync("bad")).OfType<HelmReleaseFailed>());
    }

    [Fact]
    public async Task A_chart_missing_from_the_repository_is_an_artifact_failure_listing_the_versions()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"), new TestChart("demo", "0.2.0"));
        await ApplyRepositoryAsync();

        var status = await ApplyReleaseAsync("bad", ">=5.0.0");

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("ArtifactFailed", ready.Reason);
        Assert.Contains($"HelmRepository {Namespace}/charts", ready.Message);
        Assert.Contains("the newest are 0.2.0, 0.1.0", ready.Message);
    }

    [Fact]
    public async Task A_missing_repository_is_an_artifact_failure()
    {
        var status = await ApplyReleaseAsync("bad", "*");

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("ArtifactFailed", ready.Reason);
        Assert.Contains("does not exist; apply it first", ready.Message);
    }

    [Fact]
    public async Task A_chart_that_does_not_render_says_what_helm_said()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0") { Files = new Dictionary<string, string> { ["templates/broken.yaml"] = "{{ .Values.missing.deeper }}" } });
        await ApplyRepositoryAsync();

        var status = await ApplyReleaseAsync("bad", "0.1.0");

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("InstallFailed", ready.Reason);
        Assert.Contains("helm template failed", ready.Message);
        Assert.Contains("broken.yaml", ready.Message);
    }
}
