using Granary.Testing;
using Granary.Testing.Helm;

namespace Granary.Tests.Host;

public sealed class Chart_sources_are_served_over_the_api : HostTestBase
{
    private readonly TestHelmRepository _charts = TestHelmRepository.Start();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _charts.DisposeAsync();
    }

    [Fact]
    public async Task A_HelmChart_and_an_OCIRepository_are_applied_shown_listed_and_deleted()
    {
        _charts.Add(false, new TestChart("demo", "1.0.0"));

        await ApplyOkAsync($"""
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: HelmRepository
            metadata:
              name: charts
              namespace: {Ns}
            spec:
              url: {_charts.Url}
              interval: 10m
            ---
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: HelmChart
            metadata:
              name: demo
              namespace: {Ns}
            spec:
              chart: demo
              version: "1.x"
              sourceRef:
                kind: HelmRepository
                name: charts
              interval: 10m
            ---
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: OCIRepository
            metadata:
              name: demo-oci
              namespace: {Ns}
            spec:
              url: {_charts.OciUrl}/demo
              ref:
                semver: ">=1.0.0"
              insecure: true
              interval: 10m
            """);

        var chart = await GetJsonAsync(ResourcePath("HelmChart", "demo"));
        Assert.Equal("source.toolkit.fluxcd.io/v1", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal("True", chart["status"]!["ready"]!.GetValue<string>());
        Assert.Equal("1.0.0", chart["status"]!["artifact"]!["revision"]!.GetValue<string>());
        Assert.Equal("demo", chart["status"]!["observedChartName"]!.GetValue<string>());
        Assert.Equal($"HelmRepository/{Ns}/charts", chart["status"]!["sourceRef"]!.GetValue<string>());

        var oci = await GetJsonAsync(ResourcePath("ocirepositories", "demo-oci"));
        Assert.Equal("OCIRepository", oci["kind"]!.GetValue<string>());
        Assert.Equal("True", oci["status"]!["ready"]!.GetValue<string>());
        Assert.StartsWith("1.0.0@sha256:", oci["status"]!["artifact"]!["revision"]!.GetValue<string>());

        await Eventually.WaitUntilAsync(async () => (await ListAsync("?kind=helmcharts")).Count == 1 && (await ListAsync("?kind=OCIRepository")).Count == 1, Deadline, "both chart sources listed");

        var history = (await GetJsonAsync(ResourcePath("HelmChart", "demo", "history")))["items"]!.AsArray();
        Assert.Contains(history, e => e!["summary"]!.GetValue<string>().StartsWith("stored chart demo 1.0.0", StringComparison.Ordinal));

        using var delete = await Admin.DeleteAsync(ResourcePath("OCIRepository", "demo-oci"));
        Assert.True(delete.IsSuccessStatusCode);
        using var gone = await Reader.GetAsync(ResourcePath("OCIRepository", "demo-oci"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }

    private async Task<List<System.Text.Json.Nodes.JsonNode?>> ListAsync(string query) =>
        (await GetJsonAsync($"/api/v1/resources{query}{(query.Contains('?') ? "&" : "?")}namespace={Ns}"))["items"]!.AsArray().ToList();
}
