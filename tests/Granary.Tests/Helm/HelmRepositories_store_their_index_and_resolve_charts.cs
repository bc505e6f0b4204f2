using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Sources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class HelmRepositories_store_their_index_and_resolve_charts(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task The_index_is_stored_by_digest_and_an_unchanged_index_appends_nothing()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));

        var status = await ApplyRepositoryAsync();

        Assert.True(status.IsReady, string.Join("; ", status.Conditions.Select(c => c.Message)));
        Assert.StartsWith("sha256:", status.Artifact!.Revision);
        Assert.Equal(status.Artifact.Revision, status.Artifact.Digest);
        Assert.NotNull(await Silo.Silo.EventStore.Blobs.GetAsync(status.Artifact.Digest));
        var before = (await RepositoryEventsAsync()).Count;

        await Repository().ReconcileAsync();
        await Repository().ReconcileAsync();
        Assert.Equal(before, (await RepositoryEventsAsync()).Count);

        Charts.Add(false, new TestChart("demo", "0.2.0"));
        var after = await Repository().ReconcileAsync();
        Assert.NotEqual(status.Artifact.Digest, after.Artifact!.Digest);
        Assert.Equal(2, (await RepositoryEventsAsync()).OfType<HelmIndexFetched>().Count());
    }

    [Fact]
    public async Task The_highest_matching_version_is_downloaded_verified_and_kept()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"), new TestChart("demo", "0.2.0", "2.0.0"), new TestChart("demo", "1.0.0"), new TestChart("demo", "0.3.0-rc.1"));
        await ApplyRepositoryAsync();

        var chart = await Repository().GetChartAsync("demo", "<1.0.0");

        Assert.Equal("0.2.0", chart.Version);
        Assert.Equal("2.0.0", chart.AppVersion);
        Assert.Equal(chart.Digest, Granary.EventStore.Blobs.BlobStore.DigestOf(await Silo.Silo.EventStore.Blobs.GetAsync(chart.Digest)));
        Assert.Equal("0.3.0-rc.1", (await Repository().GetChartAsync("demo", ">=0.3.0-0 <1.0.0")).Version);
        Assert.Equal("1.0.0", (await Repository().GetChartAsync("demo", null)).Version);

        var downloads = Charts.Requests.Count(r => r.EndsWith("demo-0.2.0.tgz", StringComparison.Ordinal));
        await Repository().GetChartAsync("demo", "~0.2");
        Assert.Equal(downloads, Charts.Requests.Count(r => r.EndsWith("demo-0.2.0.tgz", StringComparison.Ordinal)));
        Assert.Single((await RepositoryEventsAsync()).OfType<HelmChartPulled>(), p => p.Version == "0.2.0");
    }

    [Fact]
    public async Task Absolute_chart_urls_in_the_index_are_followed()
    {
        Charts.Add(absoluteUrls: true, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();

        var chart = await Repository().GetChartAsync("demo", "0.1.0");

        Assert.Equal("0.1.0", chart.Version);
        Assert.Contains("/charts/demo-0.1.0.tgz", Charts.Requests);
    }

    [Fact]
    public async Task A_missing_chart_or_version_names_what_is_there()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"), new TestChart("demo", "0.2.0"), new TestChart("other", "1.0.0"));
        await ApplyRepositoryAsync();

        var missing = await Assert.ThrowsAsync<HelmChartException>(() => Repository().GetChartAsync("nope", "*"));
        Assert.Equal("ChartNotFound", missing.Reason);
        Assert.Contains("'nope'", missing.Message);
        Assert.Contains("demo, other", missing.Message);

        var none = await Assert.ThrowsAsync<HelmChartException>(() => Repository().GetChartAsync("demo", ">=3.0.0"));
        Assert.Equal("NoMatchingVersion", none.Reason);
        Assert.Contains("the newest are 0.2.0, 0.1.0", none.Message);

        var malformed = await Assert.ThrowsAsync<HelmChartException>(() => Repository().GetChartAsync("demo", ">=banana"));
        Assert.Equal("InvalidChartReference", malformed.Reason);
        Assert.Contains("spec.chart.spec.version", malformed.Message);
    }

    [Fact]
    public async Task A_tarball_that_does_not_match_the_index_digest_is_refused()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        Charts.Tamper("demo", "0.1.0");
        await ApplyRepositoryAsync();

        var error = await Assert.ThrowsAsync<HelmChartException>(() => Repository().GetChartAsync("demo", "0.1.0"));

        Assert.Equal("DigestMismatch", error.Reason);
        Assert.Contains("refusing it", error.Message);
        Assert.Empty((await RepositoryEventsAsync()).OfType<HelmChartPulled>());
    }

    [Fact]
    public async Task An_unreachable_repository_fails_once_and_recovers()
    {
        var status = await ApplyRepositoryAsync(spec => spec with { Url = "http://127.0.0.1:9/charts", Timeout = Granary.Contracts.Resources.GoDuration.Parse("5s") });

        Assert.False(status.IsReady);
        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("RepositoryUnreachable", ready.Reason);
        Assert.Contains("http://127.0.0.1:9/charts/index.yaml", ready.Message);
        await Repository().ReconcileAsync();
        Assert.Single((await RepositoryEventsAsync()).OfType<HelmIndexFetchFailed>());

        Charts.Add(false, new TestChart("demo", "0.1.0"));
        Assert.True((await ApplyRepositoryAsync()).IsReady);
    }

    [Fact]
    public async Task Credentials_in_the_url_are_refused_without_echoing_them()
    {
        var status = await ApplyRepositoryAsync(spec => spec with { Url = $"http://admin:hunter2secret@127.0.0.1:{Charts.Port}/" });

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("InvalidSpec", ready.Reason);
        Assert.Contains("spec.secretRef", ready.Message);
        Assert.DoesNotContain("hunter2secret", ready.Message);
        Assert.Contains(status.Conditions, c => c.Type == "Stalled");
    }

    [Fact]
    public async Task An_oci_repository_resolves_charts_from_the_registry_tags()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"), new TestChart("demo", "0.2.0", "2.0.0"), new TestChart("demo", "1.0.0+build.5"));
        var status = await ApplyRepositoryAsync(spec => spec with { Url = Charts.OciUrl, Type = "oci", Insecure = true });
        Assert.True(status.IsReady, string.Join("; ", status.Conditions.Select(c => c.Message)));

        var chart = await Repository().GetChartAsync("demo", "^0");
        var latest = await Repository().GetChartAsync("demo", "*");

        Assert.Equal("0.2.0", chart.Version);
        Assert.Equal("2.0.0", chart.AppVersion);
        Assert.Equal("1.0.0+build.5", latest.Version);
        Assert.Contains("/v2/charts/demo/tags/list", Charts.Requests);
        Assert.Contains("/v2/charts/demo/manifests/1.0.0_build.5", Charts.Requests);
        var missing = await Assert.ThrowsAsync<HelmChartException>(() => Repository().GetChartAsync("demo", ">=2"));
        Assert.Contains("1.0.0+build.5, 0.2.0, 0.1.0", missing.Message);
    }

    [Fact]
    public async Task A_subscriber_is_told_about_a_new_index()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();
        await Repository().SubscribeAsync(new GrainId("helmrelease", $"{Namespace}/listener"));
        await Repository().SubscribeAsync(new GrainId("helmrelease", $"{Namespace}/listener"));

        Assert.Single((await RepositoryEventsAsync()).OfType<HelmRepositorySubscriberAdded>());
    }
}
