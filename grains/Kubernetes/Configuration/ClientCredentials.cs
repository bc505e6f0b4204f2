using System.Security.Cryptography.X509Certificates;

namespace Granary.Grains.Kubernetes.Configuration;

/// <summary>What a request presents to the API server: a bearer token, a client certificate, both or neither.</summary>
public sealed record ClientCredentials(string? BearerToken, X509Certificate2? ClientCertificate)
{
    /// <summary>No credentials (anonymous requests).</summary>
    public static ClientCredentials None { get; } = new(null, null);
}
