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
        Charts.AddArtifact("manifests", "1.0.0", "application/vnd.cncf.flux.content.v1.tar+gzip", await TarGzAsync("deploy.yaml", "kind: ConfigMap\n"));
        var source = await ApplyOciRepositoryAsync("manifests", new OCIRepositoryRef { Tag = "1.0.0" }, spec => spec with { LayerSelector = null }, chart: "manifests");
        Assert.True(source.IsReady, string.Join("; ", source.Conditions.Select(c => c.Message)));

        var status = await ApplyReleaseAsync("bad", "*", ChartRef("OCIRepository", "manifests"));

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("ArtifactFailed", ready.Reason);
        Assert.Contains($"OCIRepository {Namespace}/manifests", ready.Message);
        Assert.Contains("has no Chart.yaml; it is not a Helm chart", ready.Message);
        Assert.Contains("set spec.layerSelector.mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip", ready.Message);
    }

    [Fact]
    public async Task An_oci_layer_selector_naming_a_missing_media_type_lists_the_layers()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));

        var source = await ApplyOciRepositoryAsync("demo", new OCIRepositoryRef { Tag = "0.1.0" }, spec => spec with { LayerSelector = new OCILayerSelector { MediaType = "application/vnd.cncf.flux.content.v1.tar+gzip" } });
        var status = await ApplyReleaseAsync("bad", "*", ChartRef("OCIRepository", "demo"));

        var failure = source.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("OCILayerOperationFailed", failure.Reason);
        Assert.Contains("has no layer of type application/vnd.cncf.flux.content.v1.tar+gzip; it has application/vnd.cncf.helm.chart.content.v1.tar+gzip; fix spec.layerSelector.mediaType", failure.Message);
        Assert.Contains($"spec.chartRef: OCIRepository {Namespace}/demo is not ready: {failure.Message}", status.Conditions.Single(c => c.Type == "Ready").Message);
    }

    private static async Task<byte[]> TarGzAsync(string name, string content)
    {
        using var output = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new System.Formats.Tar.TarWriter(gzip, leaveOpen: true))
        {
            var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) };
            await tar.WriteEntryAsync(entry);
        }

        return output.ToArray();
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
