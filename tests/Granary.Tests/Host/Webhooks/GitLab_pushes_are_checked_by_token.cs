using System.Net;

namespace Granary.Tests.Host.Webhooks;

public sealed class GitLab_pushes_are_checked_by_token : WebhookTestBase
{
    [Fact]
    public async Task Push_and_tag_push_hooks_with_the_token_reconcile_and_other_hooks_do_not()
    {
        await ApplyFleetAsync();

        using var note = await DeliverAsync("gitlab", "{}", new Dictionary<string, string> { ["X-Gitlab-Event"] = "Note Hook", ["X-Gitlab-Token"] = GitLabSecret });
        Assert.Equal(HttpStatusCode.OK, note.StatusCode);
        Assert.Empty(await ResourcesIn(note, "triggered"));

        foreach (var @event in new[] { "Push Hook", "Tag Push Hook" })
        {
            await FetchesNewCommitAsync(async () =>
            {
                using var response = await DeliverAsync("gitlab", PushBody, new Dictionary<string, string> { ["X-Gitlab-Event"] = @event, ["X-Gitlab-Token"] = GitLabSecret });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                Assert.Equal([$"GitRepository {Ns}/fleet"], await ResourcesIn(response, "triggered"));
            });
        }

        Assert.Equal(["webhook:gitlab", "webhook:gitlab"], await ReconcileRequestersAsync());
    }
}
