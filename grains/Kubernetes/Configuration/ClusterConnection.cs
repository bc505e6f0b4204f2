using System.Security.Cryptography.X509Certificates;

namespace Granary.Grains.Kubernetes.Configuration;

/// <summary>Everything needed to reach one API server: address, how to trust it, who we are, and who we act as.</summary>
public sealed record ClusterConnection
{
    /// <summary>The API server's base URL, e.g. <c>https://10.0.0.1:443</c>.</summary>
    public required Uri Server { get; init; }

    /// <summary>Where this connection came from (kubeconfig path and context, or in-cluster), named in every error.</summary>
    public required string Source { get; init; }

    /// <summary>CA certificates that sign the server's certificate; null trusts the machine's roots.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    /// <summary>Skips verification of the server's certificate (kubeconfig <c>insecure-skip-tls-verify</c>).</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The name expected in the server's certificate when it differs from the URL's host (<c>tls-server-name</c>).</summary>
    public string? TlsServerName { get; init; }

    /// <summary>Supplies the bearer token and/or client certificate.</summary>
    public ICredentialSource Credentials { get; init; } = new StaticCredentials(ClientCredentials.None);

    /// <summary>The context's default namespace, or null.</summary>
    public string? Namespace { get; init; }

    /// <summary>A user to impersonate on every request (kubeconfig <c>as</c>), or null.</summary>
    public string? ImpersonateUser { get; init; }

    /// <summary>Groups to impersonate (kubeconfig <c>as-groups</c>).</summary>
    public IReadOnlyList<string> ImpersonateGroups { get; init; } = [];

    /// <summary>The same connection acting as the ServiceAccount <paramref name="namespace"/>/<paramref name="name"/> (Flux's <c>serviceAccountName</c>).</summary>
    public ClusterConnection ImpersonatingServiceAccount(string @namespace, string name) =>
        this with { ImpersonateUser = $"system:serviceaccount:{@namespace}:{name}", ImpersonateGroups = [] };
}
