using System.Net;
using System.Text.Json.Nodes;
using Granary.Silo.Api;
using Granary.Testing;

namespace Granary.Tests.Host;

public sealed class Event_feed_exports_as_ndjson_with_a_cursor : HostTestBase
{
    [Fact]
    public async Task Pages_follow_the_cursor_and_together_hold_every_event_once_in_feed_order()
    {
        await ApplyOkAsync($"{GitRepositoryYaml("fleet")}\n---\n{GitRepositoryYaml("other")}");
        using (var suspend = await Admin.PostAsync(ResourcePath("GitRepository", "fleet", "suspend"), null))
        {
            Assert.Equal(HttpStatusCode.OK, suspend.StatusCode);
        }

        // The feed shows an event once no older transaction can still commit before it (GlobalFeed.cs): under
        // concurrent load elsewhere in the database, the newest events appear a moment later.
        await Eventually.WaitUntilAsync(async () => (await Reader.GetStringAsync("/api/v1/audit/events")).Count(c => c == '\n') == 5, Deadline, "all five events to be visible on the feed");

        var lines = new List<JsonNode>();
        var cursor = "0.0";
        var pages = 0;
        while (true)
        {
            using var response = await Reader.GetAsync($"/api/v1/audit/events?after={cursor}&limit=2");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
            var page = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
            var next = response.Headers.GetValues(AuditEndpoints.NextCursorHeader).Single();
            if (page.Count == 0)
            {
                Assert.Equal(cursor, next);
                break;
            }

            Assert.True(page.Count <= 2);
            Assert.Equal(page[^1]["position"]!.GetValue<string>(), next);
            lines.AddRange(page);
            cursor = next;
            pages++;
        }

        Assert.Equal(5, lines.Count);
        Assert.Equal(3, pages);
        Assert.Equal(lines.Count, lines.Select(l => l["eventId"]!.GetValue<string>()).Distinct().Count());
        var fleet = lines.Where(l => l["streamId"]!.GetValue<string>() == $"gitrepository/{Ns}/fleet").ToList();
        Assert.Equal(["gitrepository.spec-applied", "gitrepository.artifact-fetched", "resource.suspended"], fleet.Select(l => l["type"]!.GetValue<string>()));
        Assert.Equal([1L, 2L, 3L], fleet.Select(l => l["version"]!.GetValue<long>()));
        Assert.Equal(Repository.Url, fleet[0]["data"]!["spec"]!["url"]!.GetValue<string>());
        Assert.Equal("admin", fleet[2]["actor"]!.GetValue<string>());
        Assert.Equal("suspended", fleet[2]["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_malformed_cursor_is_refused_with_the_expected_form()
    {
        using var response = await Reader.GetAsync("/api/v1/audit/events?after=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'0.0' for the start", await response.Content.ReadAsStringAsync());
    }
}
