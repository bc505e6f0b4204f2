using System.Text;

namespace Granary.Testing.Kubernetes;

/// <summary>Writes kubeconfig files (YAML, as kubectl writes them) for a local cluster: one cluster, one user, one context.</summary>
public static class Kubeconfig
{
    /// <summary>Writes a kubeconfig that authenticates with a bearer token and returns <paramref name="path"/>.</summary>
    public static string WriteWithToken(string path, string name, Uri server, string caPem, string userName, string token) =>
        Write(path, name, server, caPem, userName, [$"    token: {token}"]);

    /// <summary>Writes a kubeconfig that authenticates with a client certificate and returns <paramref name="path"/>.</summary>
    public static string WriteWithClientCertificate(string path, string name, Uri server, string caPem, string userName, string certificatePem, string keyPem) =>
        Write(path, name, server, caPem, userName,
            [$"    client-certificate-data: {Base64(certificatePem)}", $"    client-key-data: {Base64(keyPem)}"]);

    private static string Write(string path, string name, Uri server, string caPem, string userName, string[] credentials)
    {
        // Server URLs have no trailing slash in kubeconfigs; clients join paths onto them.
        var yaml = string.Join('\n',
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            $"- name: {name}",
            "  cluster:",
            $"    server: {server.GetLeftPart(UriPartial.Authority)}",
            $"    certificate-authority-data: {Base64(caPem)}",
            "users:",
            $"- name: {userName}",
            "  user:",
            .. credentials,
            "contexts:",
            $"- name: {name}",
            "  context:",
            $"    cluster: {name}",
            $"    user: {userName}",
            "    namespace: default",
            $"current-context: {name}",
            "preferences: {}",
            "",
        ]);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
}
