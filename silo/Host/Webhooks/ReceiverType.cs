namespace Granary.Silo.Webhooks;

/// <summary>Who sends a receiver's deliveries, which decides how a delivery proves it knows the secret and which events trigger.</summary>
public enum ReceiverType
{
    /// <summary>GitHub: <c>X-Hub-Signature-256</c> is the HMAC-SHA256 of the body; <c>push</c> triggers, <c>ping</c> is answered.</summary>
    GitHub,

    /// <summary>GitLab: <c>X-Gitlab-Token</c> is the secret; <c>Push Hook</c> and <c>Tag Push Hook</c> trigger.</summary>
    GitLab,

    /// <summary>Any sender (CI, scripts): <c>Authorization: Bearer &lt;secret&gt;</c>; every authentic delivery triggers.</summary>
    Generic,
}
