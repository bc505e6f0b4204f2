using Granary.Contracts.Resources;
using Granary.Grains.Resources;

namespace Granary.Tests.Helm;

public sealed class Chart_sources_are_read_strictly
{
    private const string Valid = """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmChart
        metadata:
          name: podinfo
          namespace: flux-system
        spec:
          chart: podinfo
          version: ">=6.0.0 <7.0.0"
          sourceRef:
            kind: HelmRepository
            name: podinfo
          interval: 5m
          reconcileStrategy: ChartVersion
          valuesFiles:
            - values.yaml
            - values-prod.yaml
          ignoreMissingValuesFiles: true
        ---
        apiVersion: source.toolkit.fluxcd.io/v1beta2
        kind: OCIRepository
        metadata:
          name: podinfo-oci
          namespace: flux-system
        spec:
          interval: 10m
          url: oci://ghcr.io/stefanprodan/charts/podinfo
          ref:
            semver: ">= 6.0.0"
          layerSelector:
            mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
            operation: copy
          secretRef:
            name: ghcr-auth
          insecure: false
        ---
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: OCIRepository
        metadata:
          name: manifests
          namespace: flux-system
        spec:
          interval: 1m
          url: oci://ghcr.io/stefanprodan/manifests/podinfo
          ref:
            tag: latest
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: podinfo
          namespace: apps
        spec:
          interval: 10m
          chartRef:
            kind: OCIRepository
            name: podinfo-oci
            namespace: flux-system
        """;

    [Fact]
    public void Flux_chart_sources_read_into_typed_resources()
    {
        var result = ResourceParser.Parse(Valid, "sources/charts.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var chart = Assert.IsType<HelmChart>(result.Resources[0]);
        Assert.Equal("flux-system/podinfo", chart.Key);
        Assert.Equal("HelmRepository", chart.Spec.SourceRef.Kind);
        Assert.Equal(["values.yaml", "values-prod.yaml"], chart.Spec.ValuesFiles);
        Assert.True(chart.Spec.IgnoreMissingValuesFiles);
        var oci = Assert.IsType<OCIRepository>(result.Resources[1]);
        Assert.Equal(">= 6.0.0", oci.Spec.Ref!.Semver);
        Assert.Equal("copy", oci.Spec.LayerSelector!.Operation);
        Assert.Equal("latest", Assert.IsType<OCIRepository>(result.Resources[2]).Spec.Ref!.Tag);
        var release = Assert.IsType<HelmRelease>(result.Resources[3]);
        Assert.Equal("OCIRepository", release.Spec.ChartRef!.Kind);
        Assert.Equal("flux-system", release.Spec.ChartRef.Namespace);
    }

    [Theory]
    [InlineData("HelmChart", "source.toolkit.fluxcd.io/v1", "chart: x\n  interval: 1m\n  sourceRef:\n    kind: HelmRepository\n    name: x\n    namespace: other", "spec.sourceRef.namespace", "the fields here are apiVersion, kind, name")]
    [InlineData("HelmChart", "source.toolkit.fluxcd.io/v1", "chart: x\n  interval: 1m\n  sourceRef:\n    kind: HelmRepository\n    name: x\n  valueFiles: [a.yaml]", "spec.valueFiles", "unknown field")]
    [InlineData("HelmChart", "source.toolkit.fluxcd.io/v1", "chart: x\n  sourceRef:\n    kind: HelmRepository\n    name: x", "spec.interval", "a duration such as 10m")]
    [InlineData("OCIRepository", "source.toolkit.fluxcd.io/v1beta2", "url: oci://r/x\n  interval: 1m\n  layerSelector:\n    mediatype: x", "spec.layerSelector.mediatype", "the fields here are mediaType, operation")]
    [InlineData("OCIRepository", "source.toolkit.fluxcd.io/v1", "url: oci://r/x\n  interval: 1m\n  ref:\n    branch: main", "spec.ref.branch", "the fields here are digest, semver, semverFilter, tag")]
    [InlineData("OCIRepository", "source.toolkit.fluxcd.io/v1beta2", "interval: 1m", "spec.url", "required field missing")]
    public void Errors_name_the_field_and_the_fix(string kind, string apiVersion, string specPart, string field, string hint)
    {
        var yaml = $"""
            apiVersion: {apiVersion}
            kind: {kind}
            metadata:
              name: podinfo
            spec:
              {specPart}
            """;

        var result = ResourceParser.Parse(yaml, "sources/charts.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(hint, error.Message);
        Assert.Equal(kind, error.Kind);
    }
}
