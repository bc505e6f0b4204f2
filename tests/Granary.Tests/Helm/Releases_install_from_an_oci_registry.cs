using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Releases_install_from_an_oci_registry(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_release_resolves_its_version_from_the_tags_and_installs_the_chart_layer()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0"), new TestChart("demo", "1.2.0", "1.2.0"), new TestChart("demo", "2.0.0"));
        await ApplyRepositoryAsync(spec => spec with { Url = Charts.OciUrl, Type = "oci", Insecure = true });

        var status = await ApplyReleaseAsync("web", "^1.0.0");

        Assert.True(status.IsReady, Why(status));
        Assert.Equal("1.2.0", status.LastAppliedRevision);
        Assert.Equal("1.2.0", (await ConfigMapDataAsync("web-settings"))!["chartVersion"]!.GetValue<string>());
        Assert.Equal("demo-1.2.0", Assert.Single(await Release("web").GetHistoryAsync()).Chart);
        Assert.DoesNotContain(Charts.Requests, r => r.EndsWith("index.yaml", StringComparison.Ordinal));
    }
}
