using System.Net;

namespace Granary.Tests.Host.Webhooks;

public sealed class Unknown_receivers_are_404 : WebhookTestBase
{
    [Fact]
    public async Task A_delivery_to_a_receiver_not_configured_is_404_naming_it()
    {
        using var response = await DeliverAsync("gitbub", PushBody, new Dictionary<string, string> { ["X-GitHub-Event"] = "push", ["X-Hub-Signature-256"] = Signature(GitHubSecret, PushBody) });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no webhook receiver named 'gitbub' is configured", await response.Content.ReadAsStringAsync());
    }
}
