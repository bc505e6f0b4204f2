using System.Net;

namespace Granary.Tests.Host.Webhooks;

public sealed class GitHub_pushes_signed_with_the_secret_fetch_the_new_commit : WebhookTestBase
{
    [Fact]
    public async Task A_signed_push_reconciles_fleet_at_once_recorded_as_the_webhook_with_the_delivery_id()
    {
        await ApplyFleetAsync();
        var delivery = Guid.NewGuid().ToString();

        await FetchesNewCommitAsync(async () =>
        {
            using var response = await GitHubAsync("push", GitHubSecret, delivery: delivery);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal([$"GitRepository {Ns}/fleet"], await ResourcesIn(response, "triggered"));
        });

        var requested = Assert.Single(await ReconcileRequestsAsync());
        Assert.Equal("webhook:github", requested["actor"]!.GetValue<string>());
        Assert.Equal(delivery, requested["correlationId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_ping_or_another_event_is_answered_and_reconciles_nothing()
    {
        var fetched = await ApplyFleetAsync();
        Repository.Commit(new Dictionary<string, string> { ["apps/readme.txt"] = "not fetched" });

        using var ping = await GitHubAsync("ping", GitHubSecret);
        using var issues = await GitHubAsync("issues", GitHubSecret);

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal(HttpStatusCode.OK, issues.StatusCode);
        Assert.Empty(await ResourcesIn(ping, "triggered"));
        Assert.Contains("'issues' events trigger nothing", await issues.Content.ReadAsStringAsync());
        Assert.Empty(await ReconcileRequestersAsync());
        Assert.Equal(Revision(fetched), await RevisionAsync());
    }
}
