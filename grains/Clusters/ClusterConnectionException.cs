namespace Granary.Grains.Clusters;

/// <summary>
/// A cluster cannot be connected to as specified: invalid spec, missing or malformed Secret or kubeconfig, unknown Cluster.
/// <see cref="Reason"/> is a Flux-style reason code; the message names the resource, the field and the fix, never a credential.
/// </summary>
public sealed class ClusterConnectionException(string reason, string message) : Exception(message)
{
    /// <summary>InvalidSpec, CredentialsNotFound, InvalidKubeConfig or ClusterNotFound.</summary>
    public string Reason { get; } = reason;
}

/// <summary>The reason codes of a Cluster's Ready condition.</summary>
public static class ClusterReasons
{
    /// <summary>The probe succeeded: <c>/readyz</c> answered ok and <c>/version</c> a version.</summary>
    public const string Connected = "Connected";

    /// <summary>The API server did not answer (refused, timed out, TLS failed).</summary>
    public const string Unreachable = "Unreachable";

    /// <summary>The API server answered, but <c>/readyz</c> reports failing checks.</summary>
    public const string ServerNotReady = "ServerNotReady";

    /// <summary>The API server rejected the credentials (401).</summary>
    public const string AuthenticationFailed = "AuthenticationFailed";

    /// <summary>The API server answered the probe with another error.</summary>
    public const string ProbeFailed = "ProbeFailed";

    /// <summary>The spec contradicts itself or holds a bad value.</summary>
    public const string InvalidSpec = "InvalidSpec";

    /// <summary>A referenced Secret, or a key in it, is missing or unreadable.</summary>
    public const string CredentialsNotFound = "CredentialsNotFound";

    /// <summary>The kubeconfig (or token Secret) is malformed or uses what Secrets may not (exec plugins, files).</summary>
    public const string InvalidKubeConfig = "InvalidKubeConfig";

    /// <summary>A clusterRef names a Cluster that does not exist.</summary>
    public const string ClusterNotFound = "ClusterNotFound";
}
