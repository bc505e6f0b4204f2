using Microsoft.AspNetCore.Http;

namespace Granary.Silo.Webhooks;

/// <summary>
/// What a receiver makes of a delivery, by its type: whether the sender proved it knows the secret (the reason for
/// the log when it did not, never the value sent), and which event it is and whether that event triggers.
/// </summary>
public static class DeliveryCheck
{
    /// <summary>GitHub's signature header: <c>sha256=</c> and the hex HMAC-SHA256 of the body.</summary>
    public const string GitHubSignatureHeader = "X-Hub-Signature-256";

    /// <summary>GitHub's event header, e.g. <c>push</c>, <c>ping</c>.</summary>
    public const string GitHubEventHeader = "X-GitHub-Event";

    /// <summary>GitLab's secret token header.</summary>
    public const string GitLabTokenHeader = "X-Gitlab-Token";

    /// <summary>GitLab's event header, e.g. <c>Push Hook</c>.</summary>
    public const string GitLabEventHeader = "X-Gitlab-Event";

    /// <summary>The headers that carry a sender's id of the delivery, which becomes the correlation id of what it causes.</summary>
    public static IReadOnlyList<string> DeliveryIdHeaders { get; } = ["X-GitHub-Delivery", "X-Gitlab-Event-UUID", "X-Correlation-ID"];

    /// <summary>The sender's id of the delivery when it gives a plain one, else null (a new id is made).</summary>
    public static string? DeliveryId(HttpRequest request) =>
        DeliveryIdHeaders.Select(h => request.Headers[h].ToString()).FirstOrDefault(Api.ApiServices.IsPlainId);

    /// <summary>Null when the delivery proves it knows <paramref name="receiver"/>'s secret; otherwise why not, for the log.</summary>
    public static string? Rejection(Receiver receiver, HttpRequest request, ReadOnlySpan<byte> body)
    {
        switch (receiver.Type)
        {
            case ReceiverType.GitHub:
                var signature = request.Headers[GitHubSignatureHeader].ToString();
                return signature.Length == 0 ? $"{GitHubSignatureHeader} is missing"
                    : receiver.Secret.Signed(body, signature) ? null
                    : $"{GitHubSignatureHeader} is not the body's HMAC-SHA256 with the receiver's secret";
            case ReceiverType.GitLab:
                var token = request.Headers[GitLabTokenHeader].ToString();
                return token.Length == 0 ? $"{GitLabTokenHeader} is missing"
                    : receiver.Secret.Matches(token) ? null
                    : $"{GitLabTokenHeader} is not the receiver's secret";
            default:
                var authorization = request.Headers.Authorization.ToString();
                return !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? "Authorization: Bearer <secret> is missing"
                    : receiver.Secret.Matches(authorization["Bearer ".Length..].Trim()) ? null
                    : "the bearer token is not the receiver's secret";
        }
    }

    /// <summary>The delivery's event as its sender names it, and whether it makes the receiver's resources fetch.</summary>
    public static (string Event, bool Triggers) EventOf(Receiver receiver, HttpRequest request)
    {
        switch (receiver.Type)
        {
            case ReceiverType.GitHub:
                var github = request.Headers[GitHubEventHeader].ToString();
                return (github, github == "push");
            case ReceiverType.GitLab:
                var gitlab = request.Headers[GitLabEventHeader].ToString();
                return (gitlab, gitlab is "Push Hook" or "Tag Push Hook");
            default:
                return ("generic", true);
        }
    }
}
