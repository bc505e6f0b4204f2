using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Granary.Tests.Host;

public sealed class History_and_state_at_a_time_follow_spec_changes : HostTestBase
{
    [Fact]
    public async Task Each_spec_change_is_in_the_history_and_the_state_at_its_time_shows_that_spec()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet", "1m"));
        await ApplyOkAsync(GitRepositoryYaml("fleet", "2m"));
        using (var suspend = await Admin.PostAsync(ResourcePath("GitRepository", "fleet", "suspend") + "?reason=freeze", null))
        {
            Assert.Equal(HttpStatusCode.OK, suspend.StatusCode);
        }

        await ApplyOkAsync(GitRepositoryYaml("fleet", "3m"));

        var history = (await GetJsonAsync(ResourcePath("GitRepository", "fleet", "history")))["items"]!.AsArray();
        var specs = history.Where(e => e!["type"]!.GetValue<string>() == "gitrepository.spec-applied").ToList();
        Assert.Equal(3, specs.Count);
        Assert.Contains("spec applied (generation 1)", specs[0]!["summary"]!.GetValue<string>());
        Assert.Contains("interval 1m0s", specs[0]!["summary"]!.GetValue<string>());
        Assert.Contains("interval 2m0s", specs[1]!["summary"]!.GetValue<string>());
        Assert.Contains("interval 3m0s", specs[2]!["summary"]!.GetValue<string>());
        Assert.Contains("branch main", specs[0]!["summary"]!.GetValue<string>());
        Assert.Equal(Enumerable.Range(1, history.Count).Select(v => (long)v), history.Select(e => e!["version"]!.GetValue<long>()));
        Assert.All(history, e => Assert.False(string.IsNullOrEmpty(e!["correlationId"]?.GetValue<string>())));

        // As of the second spec change: generation 2, interval 2m, not yet suspended.
        var second = await AtAsync(Time(specs[1]!));
        Assert.Equal(2, second["resource"]!["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal("2m0s", second["resource"]!["spec"]!["interval"]!.GetValue<string>());
        Assert.False(second["resource"]!["status"]!["suspended"]!.GetValue<bool>());

        // As of the suspension: still 2m, suspended.
        var suspended = history.Single(e => e!["type"]!.GetValue<string>() == "resource.suspended")!;
        var atSuspension = await AtAsync(Time(suspended));
        Assert.True(atSuspension["resource"]!["status"]!["suspended"]!.GetValue<bool>());
        Assert.Equal("2m0s", atSuspension["resource"]!["spec"]!["interval"]!.GetValue<string>());

        // As of the first: generation 1, Ready once its artifact was stored.
        var fetched = history.First(e => e!["type"]!.GetValue<string>() == "gitrepository.artifact-fetched")!;
        var first = await AtAsync(Time(fetched));
        Assert.Equal(1, first["resource"]!["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal("True", first["resource"]!["status"]!["ready"]!.GetValue<string>());

        // Now: generation 3, 3m, suspended.
        var now = await GetJsonAsync(ResourcePath("GitRepository", "fleet"));
        Assert.Equal(3, now["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal("3m0s", now["spec"]!["interval"]!.GetValue<string>());
        Assert.True(now["status"]!["suspended"]!.GetValue<bool>());

        // Before it existed there is nothing to show.
        var before = Time(specs[0]!).AddSeconds(-1);
        using var nothing = await Reader.GetAsync(ResourcePath("GitRepository", "fleet", "at") + $"?time={Uri.EscapeDataString(before.ToString("O", CultureInfo.InvariantCulture))}");
        Assert.Equal(HttpStatusCode.NotFound, nothing.StatusCode);
    }

    [Fact]
    public async Task A_long_history_is_read_in_pages()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet", "1m"));
        await ApplyOkAsync(GitRepositoryYaml("fleet", "2m"));
        await ApplyOkAsync(GitRepositoryYaml("fleet", "3m"));

        var whole = (await GetJsonAsync(ResourcePath("GitRepository", "fleet", "history")))["items"]!.AsArray().Select(e => e!["version"]!.GetValue<long>()).ToList();
        var paged = new List<long>();
        long? from = 1;
        var pages = 0;
        while (from is { } version)
        {
            var page = await GetJsonAsync(ResourcePath("GitRepository", "fleet", "history") + $"?limit=2&from={version}");
            var versions = page["items"]!.AsArray().Select(e => e!["version"]!.GetValue<long>()).ToList();
            Assert.InRange(versions.Count, 1, 2);
            paged.AddRange(versions);
            from = page["next"]?.GetValue<long>();
            pages++;
        }

        Assert.True(whole.Count >= 5, string.Join(",", whole));
        Assert.Equal(whole, paged);
        Assert.Equal((whole.Count + 1) / 2, pages);
    }

    [Fact]
    public async Task A_time_that_is_not_an_instant_is_refused_with_an_example()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));

        using var response = await Reader.GetAsync(ResourcePath("GitRepository", "fleet", "at") + "?time=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ISO 8601", await response.Content.ReadAsStringAsync());
    }

    private static DateTimeOffset Time(JsonNode entry) => DateTimeOffset.Parse(entry["time"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    private async Task<JsonNode> AtAsync(DateTimeOffset time) =>
        await GetJsonAsync(ResourcePath("GitRepository", "fleet", "at") + $"?time={Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture))}");
}
