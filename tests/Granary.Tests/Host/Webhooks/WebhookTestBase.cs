using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Silo.Configuration;
using Granary.Silo.Webhooks;
using Granary.Testing;

namespace Granary.Tests.Host.Webhooks;

/// <summary>
/// A host with three receivers — <c>github</c>, <c>gitlab</c> and <c>generic</c> — that reconcile the GitRepository
/// <c>fleet</c> (the generic one also a HelmRepository that is never applied), and helpers to deliver to them.
/// </summary>
public abstract class WebhookTestBase : HostTestBase
{
    /// <summary>The GitHub receiver's secret.</summary>
    protected const string GitHubSecret = "github-secret-0123456789abcdef";

    /// <summary>The GitLab receiver's secret.</summary>
    protected const string GitLabSecret = "gitlab-secret-0123456789abcdef";

    /// <summary>The generic receiver's secret.</summary>
    protected const string GenericSecret = "generic-secret-0123456789abcdef";

    /// <summary>A push payload (the receivers never read it: they only check who sent it).</summary>
    protected const string PushBody = """{"ref":"refs/heads/main","after":"0000000000000000000000000000000000000000"}""";

    /// <inheritdoc />
    protected override HostConfiguration Configure(HostConfiguration configuration)
    {
        var fleet = new ReceiverResource("GitRepository", Ns, "fleet");
        return configuration with
        {
            Receivers =
            [
                new Receiver("github", ReceiverType.GitHub, new ReceiverSecret(GitHubSecret), [fleet]),
                new Receiver("gitlab", ReceiverType.GitLab, new ReceiverSecret(GitLabSecret), [fleet]),
                new Receiver("generic", ReceiverType.Generic, new ReceiverSecret(GenericSecret), [fleet, new ReceiverResource("HelmRepository", Ns, "charts")]),
            ],
        };
    }

    /// <summary>Applies the GitRepository <c>fleet</c> (fetched once, then every 10 minutes) and returns the commit it fetched.</summary>
    protected async Task<string> ApplyFleetAsync()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));
        var fetched = Repository.Head();
        Assert.Equal(Revision(fetched), await RevisionAsync());
        return fetched;
    }

    /// <summary>POSTs <paramref name="body"/> to <c>/hooks/{receiver}</c> without an API token, with <paramref name="headers"/>.</summary>
    protected async Task<HttpResponseMessage> DeliverAsync(string receiver, string body, IReadOnlyDictionary<string, string> headers, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{receiver}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        request.Headers.Authorization = authorization;
        return await Anonymous.SendAsync(request);
    }

    /// <summary>Delivers a GitHub <paramref name="event"/> signed with <paramref name="secret"/>.</summary>
    protected Task<HttpResponseMessage> GitHubAsync(string @event, string secret, string body = PushBody, string? delivery = null) =>
        DeliverAsync("github", body, new Dictionary<string, string> { ["X-GitHub-Event"] = @event, ["X-Hub-Signature-256"] = Signature(secret, body), ["X-GitHub-Delivery"] = delivery ?? Guid.NewGuid().ToString() });

    /// <summary>GitHub's <c>X-Hub-Signature-256</c> of <paramref name="body"/> with <paramref name="secret"/>.</summary>
    protected static string Signature(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>The artifact revision GitRepositories report for <paramref name="commit"/> on main.</summary>
    protected static string Revision(string commit) => $"main@sha1:{commit}";

    /// <summary>The GitRepository <c>fleet</c>'s artifact revision.</summary>
    protected async Task<string?> RevisionAsync() =>
        (await GetJsonAsync(ResourcePath("GitRepository", "fleet")))["status"]?["artifact"]?["revision"]?.GetValue<string>();

    /// <summary>Commits a change and waits until <c>fleet</c> has fetched it, which only a reconcile asked for now can do (its interval is 10 minutes).</summary>
    protected async Task FetchesNewCommitAsync(Func<Task> deliver)
    {
        var commit = Repository.Commit(new Dictionary<string, string> { ["apps/readme.txt"] = $"fleet {Guid.NewGuid():N}" });
        await deliver();
        await Eventually.WaitUntilAsync(async () => await RevisionAsync() == Revision(commit), Deadline, $"fleet fetched {commit}");
    }

    /// <summary>The actors of <c>fleet</c>'s recorded reconcile requests, oldest first.</summary>
    protected async Task<List<string?>> ReconcileRequestersAsync() => (await ReconcileRequestsAsync()).Select(e => e["actor"]?.GetValue<string>()).ToList();

    /// <summary><c>fleet</c>'s recorded reconcile requests, oldest first, as the history endpoint shows them.</summary>
    protected async Task<List<JsonNode>> ReconcileRequestsAsync() =>
        (await GetJsonAsync(ResourcePath("GitRepository", "fleet", "history")))["items"]!.AsArray()
            .Where(e => e!["type"]!.GetValue<string>() == "resource.reconcile-requested")
            .Select(e => e!)
            .ToList();

    /// <summary>The <c>kind namespace/name</c> of each resource in the answer's <paramref name="list"/>.</summary>
    protected static async Task<List<string>> ResourcesIn(HttpResponseMessage response, string list) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())![list]!.AsArray()
            .Select(r => $"{r!["kind"]!.GetValue<string>()} {r["namespace"]!.GetValue<string>()}/{r["name"]!.GetValue<string>()}")
            .ToList();
}
