using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Releases_install_from_an_oci_repository(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_chartRef_to_an_oci_repository_installs_the_chart_layer_of_the_newest_matching_tag()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0"), new TestChart("demo", "1.2.0", "1.2.0"), new TestChart("demo", "2.0.0"));

        var source = await ApplyOciRepositoryAsync("demo", new OCIRepositoryRef { Semver = "^1.0.0" });

        Assert.True(source.IsReady, string.Join("; ", source.Conditions.Select(c => c.Message)));
        Assert.Matches("^1\\.2\\.0@sha256:[0-9a-f]{64}$", source.Artifact!.Revision);
        var status = await ApplyReleaseAsync("web", "ignored", ChartRef("OCIRepository", "demo"));

        Assert.True(status.IsReady, Why(status));
        Assert.Equal("1.2.0", status.LastAppliedRevision);
        Assert.Equal("1.2.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());
        Assert.Equal("demo-1.2.0", Assert.Single(await Release("web").GetHistoryAsync()).Chart);
    }

    [Fact]
    public async Task An_unchanged_tag_appends_nothing_and_a_new_tag_upgrades_the_release()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0"));
        await ApplyOciRepositoryAsync("demo", new OCIRepositoryRef { Semver = ">=1.0.0" });
        var status = await ApplyReleaseAsync("web", "ignored", ChartRef("OCIRepository", "demo"));
        Assert.True(status.IsReady, Why(status));
        var before = (await EventsAsync($"ocirepository/{Namespace}/demo")).Count;

        await OciRepository("demo").ReconcileAsync();
        Assert.Equal(before, (await EventsAsync($"ocirepository/{Namespace}/demo")).Count);

        Charts.Add(false, new TestChart("demo", "1.1.0"));
        await OciRepository("demo").RequestReconcileAsync();

        await Eventually.WaitUntilAsync(async () => (await Release("web").GetStatusAsync()).LastAppliedRevision == "1.1.0", Deadline, "the release upgraded to 1.1.0");
        Assert.Equal(2, (await EventsAsync($"ocirepository/{Namespace}/demo")).OfType<OCIArtifactStored>().Count());
    }

    [Fact]
    public async Task A_tag_is_pulled_by_name_and_a_missing_one_says_so()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0"), new TestChart("demo", "1.1.0"));

        var tagged = await ApplyOciRepositoryAsync("demo", new OCIRepositoryRef { Tag = "1.0.0" });
        var missing = await ApplyOciRepositoryAsync("gone", new OCIRepositoryRef { Tag = "9.9.9" });

        Assert.StartsWith("1.0.0@sha256:", tagged.Artifact!.Revision);
        var ready = missing.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("False", ready.Status);
        Assert.Contains($"OCIRepository {Namespace}/gone", ready.Message);
        Assert.Contains("manifests/9.9.9", ready.Message);
    }
}
