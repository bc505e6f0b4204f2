using Granary.Contracts.Resources;
using Granary.Grains.Resources;

namespace Granary.Tests.Helm;

public sealed class Helm_resources_are_read_strictly
{
    private const string Valid = """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmRepository
        metadata:
          name: podinfo
          namespace: flux-system
        spec:
          url: https://stefanprodan.github.io/podinfo
          interval: 5m
          timeout: 1m
          secretRef:
            name: repo-auth
        ---
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmRepository
        metadata:
          name: podinfo-oci
          namespace: flux-system
        spec:
          type: oci
          url: oci://ghcr.io/stefanprodan/charts
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: podinfo
          namespace: apps
        spec:
          interval: 10m
          timeout: 5m
          releaseName: web
          targetNamespace: web
          chart:
            spec:
              chart: podinfo
              version: ">=6.0.0 <7.0.0"
              sourceRef:
                kind: HelmRepository
                name: podinfo
                namespace: flux-system
              valuesFiles:
                - values.yaml
                - values-prod.yaml
          dependsOn:
            - name: redis
          install:
            crds: CreateReplace
            createNamespace: true
            remediation:
              retries: 3
          upgrade:
            crds: CreateReplace
            remediation:
              retries: 2
              strategy: rollback
              remediateLastFailure: true
          rollback:
            cleanupOnFail: true
          uninstall:
            keepHistory: false
          driftDetection:
            mode: enabled
            ignore:
              - paths: ["/spec/replicas"]
          maxHistory: 5
          values:
            replicaCount: 2
            ingress:
              enabled: true
              hosts: [{host: podinfo.example}]
          valuesFrom:
            - kind: ConfigMap
              name: podinfo-values
            - kind: Secret
              name: podinfo-token
              valuesKey: token
              targetPath: auth.token
              optional: true
        """;

    [Fact]
    public void A_flux_helm_file_reads_into_typed_resources()
    {
        var result = ResourceParser.Parse(Valid, "apps/podinfo.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var repository = Assert.IsType<HelmRepository>(result.Resources[0]);
        Assert.Equal("flux-system/podinfo", repository.Key);
        Assert.Equal(TimeSpan.FromMinutes(5), repository.Spec.Interval!.Value.Value);
        Assert.Equal("oci", Assert.IsType<HelmRepository>(result.Resources[1]).Spec.Type);
        var release = Assert.IsType<HelmRelease>(result.Resources[2]);
        Assert.Equal(">=6.0.0 <7.0.0", release.Spec.Chart!.Spec.Version);
        Assert.Equal("flux-system", release.Spec.Chart.Spec.SourceRef.Namespace);
        Assert.Equal(3, release.Spec.Install!.Remediation!.Retries);
        Assert.Equal("rollback", release.Spec.Upgrade!.Remediation!.Strategy);
        Assert.Equal("auth.token", release.Spec.ValuesFrom![1].TargetPath);
        Assert.Equal(2, release.Spec.Values!.Value.GetProperty("replicaCount").GetInt32());
    }

    [Theory]
    [InlineData("chart:\n    spec:\n      chartt: podinfo", "spec.chart.spec.chartt", "unknown field")]
    [InlineData("install:\n    remediation:\n      retry: 3", "spec.install.remediation.retry", "the fields here are retries")]
    [InlineData("valuesFrom:\n    - kind: ConfigMap\n      nam: x", "spec.valuesFrom[0].nam", "unknown field")]
    [InlineData("suspend: maybe", "spec.suspend", "expected true or false")]
    public void Errors_name_the_field_and_the_fix(string specPart, string field, string hint)
    {
        var yaml = $"""
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata:
              name: podinfo
            spec:
              interval: 10m
              {specPart}
            """;

        var result = ResourceParser.Parse(yaml, "apps/podinfo.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(hint, error.Message);
        Assert.Equal("default/podinfo", error.Name);
    }

    [Fact]
    public void A_missing_interval_says_to_add_a_duration()
    {
        var result = ResourceParser.Parse("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: x\nspec:\n  releaseName: x\n", "x.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.interval", error.Field);
        Assert.Contains("a duration such as 10m", error.Message);
    }

    [Fact]
    public void An_old_api_version_points_to_v2()
    {
        var result = ResourceParser.Parse("apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata:\n  name: x\nspec:\n  interval: 1m\n", "x.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains("use helm.toolkit.fluxcd.io/v2", error.Message);
    }

    [Fact]
    public void A_helm_repository_needs_a_url()
    {
        var result = ResourceParser.Parse("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: x\nspec:\n  interval: 1m\n", "x.yaml");

        Assert.Equal("spec.url", Assert.Single(result.Errors).Field);
    }
}
