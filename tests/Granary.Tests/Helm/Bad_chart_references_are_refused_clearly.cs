using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Bad_chart_references_are_refused_clearly(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_missing_helm_chart_names_the_resource_and_the_fix()
    {
        var status = await ApplyReleaseAsync("bad", "*", ChartRef("HelmChart", "nope"));

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("ArtifactFailed", ready.Reason);
        Assert.Contains($"spec.chartRef: HelmChart {Namespace}/nope does not exist; apply it first", ready.Message);
        await Release("bad").ReconcileAsync();
        Assert.Single((await ReleaseEventsAsync("bad")).OfType<HelmReleaseFailed>());
    }

    [Fact]
    public async Task A_helm_chart_that_is_not_ready_says_why()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();
        await ApplyHelmChartAsync("demo", ">=5.0.0");

        var status = await ApplyReleaseAsync("bad", "*", ChartRef("HelmChart", "demo"));

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("ArtifactFailed", ready.Reason);
        Assert.Contains($"spec.chartRef: HelmChart {Namespace}/demo is not ready", ready.Message);
        Assert.Contains("the newest are 0.1.0; change spec.version", ready.Message);
    }

    [Fact]
    public async Task An_oci_repository_whose_artifact_is_not_a_chart_says_which_layer_to_select()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyOciRepositoryAsync("demo", new OCIRepositoryRef { Tag = "0.1.0" }, spec => spec with { LayerSelector = new OCILayerSelector { MediaType = "application/vnd.cncf.helm.config.v1+json", Operation = "copy" } });

        var status = await ApplyReleaseAsync("bad", "*", ChartRef("OCIRepository", "demo"));

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("ArtifactFailed", ready.Reason);
        Assert.Contains($"OCIRepository {Namespace}/demo", ready.Message);
        Assert.Contains("set spec.layerSelector.mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip", ready.Message);
    }

    [Fact]
    public async Task A_helm_chart_with_an_unsupported_source_kind_stalls()
    {
        var status = await ApplyHelmChartAsync("demo", "*", spec => spec with { SourceRef = new LocalHelmChartSourceReference { Kind = "Bucket", Name = "b" } });

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("InvalidChartReference", ready.Reason);
        Assert.Contains("spec.sourceRef.kind Bucket is not supported; use HelmRepository or GitRepository", ready.Message);
        Assert.Contains(status.Conditions, c => c.Type == "Stalled");
    }

    [Fact]
    public async Task An_oci_url_with_a_tag_or_credentials_is_refused()
    {
        var status = await ApplyOciRepositoryAsync("demo", new OCIRepositoryRef { Tag = "1.0.0" }, spec => spec with { Url = spec.Url + ":1.0.0" });

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("InvalidSpec", ready.Reason);
        Assert.Contains("names a tag; remove it and set spec.ref.tag", ready.Message);
        Assert.Contains(status.Conditions, c => c.Type == "Stalled");
    }
}
