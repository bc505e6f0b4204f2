using System.Security.Cryptography.X509Certificates;

namespace Granary.Grains.Kubernetes.Configuration;

/// <summary>The configuration of a process running in a Pod: the ServiceAccount token, CA and namespace the kubelet mounts, and the API server from the environment.</summary>
public static class InClusterConfiguration
{
    /// <summary>Where the kubelet mounts the ServiceAccount's token, CA and namespace.</summary>
    public const string DefaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Builds the connection; <paramref name="directory"/> and <paramref name="environment"/> are replaceable for tests.</summary>
    public static ClusterConnection Load(string directory = DefaultDirectory, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        const string source = "in-cluster configuration";
        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubernetesConfigurationException(
                $"{source}: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; this process does not run in a Pod, so give it a kubeconfig.");
        }

        var tokenPath = Path.Combine(directory, "token");
        var caPath = Path.Combine(directory, "ca.crt");
        foreach (var required in new[] { tokenPath, caPath })
        {
            if (!File.Exists(required))
            {
                throw new KubernetesConfigurationException(
                    $"{source}: {required} does not exist; mount the ServiceAccount token (automountServiceAccountToken: true).");
            }
        }

        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(caPath);
        var namespacePath = Path.Combine(directory, "namespace");
        return new ClusterConnection
        {
            // IPv6 service hosts need brackets in a URL.
            Server = new Uri($"https://{(host.Contains(':') ? $"[{host}]" : host)}:{port}"),
            Source = source,
            CertificateAuthorities = authorities,
            Credentials = new TokenFileCredentials(tokenPath),
            Namespace = File.Exists(namespacePath) ? File.ReadAllText(namespacePath).Trim() : null,
        };
    }
}
