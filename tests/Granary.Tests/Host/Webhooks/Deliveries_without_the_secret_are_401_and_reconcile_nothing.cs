using System.Net;
using System.Net.Http.Headers;

namespace Granary.Tests.Host.Webhooks;

public sealed class Deliveries_without_the_secret_are_401_and_reconcile_nothing : WebhookTestBase
{
    [Fact]
    public async Task Wrong_missing_or_replayed_signatures_and_tokens_are_rejected()
    {
        var fetched = await ApplyFleetAsync();
        Repository.Commit(new Dictionary<string, string> { ["apps/readme.txt"] = "not fetched" });
        var push = new Dictionary<string, string> { ["X-GitHub-Event"] = "push" };

        var rejected = new List<HttpResponseMessage>
        {
            await GitHubAsync("push", "not-the-github-secret-0123456789"),
            await DeliverAsync("github", PushBody, push),
            // A signature of another body: a captured delivery cannot carry a different payload.
            await DeliverAsync("github", PushBody + " ", new Dictionary<string, string>(push) { ["X-Hub-Signature-256"] = Signature(GitHubSecret, PushBody) }),
            await DeliverAsync("github", PushBody, new Dictionary<string, string>(push) { ["X-Hub-Signature-256"] = "sha256=not-hex" }),
            await DeliverAsync("gitlab", PushBody, new Dictionary<string, string> { ["X-Gitlab-Event"] = "Push Hook", ["X-Gitlab-Token"] = GitHubSecret }),
            await DeliverAsync("gitlab", PushBody, new Dictionary<string, string> { ["X-Gitlab-Event"] = "Push Hook" }),
            await DeliverAsync("generic", PushBody, new Dictionary<string, string>(), new AuthenticationHeaderValue("Bearer", GitLabSecret)),
            await DeliverAsync("generic", PushBody, new Dictionary<string, string>()),
            // An API token is not a receiver's secret.
            await DeliverAsync("generic", PushBody, new Dictionary<string, string>(), new AuthenticationHeaderValue("Bearer", AdminToken)),
        };

        foreach (var response in rejected)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("\"reason\":\"Unauthorized\"", body);
            Assert.DoesNotContain(GitHubSecret, body);
            Assert.DoesNotContain(GitLabSecret, body);
            response.Dispose();
        }

        Assert.Empty(await ReconcileRequestersAsync());
        Assert.Equal(Revision(fetched), await RevisionAsync());
    }
}
