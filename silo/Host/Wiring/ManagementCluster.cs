using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Silo.Configuration;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Wiring;

/// <summary>
/// Connects to the management cluster: the configured kubeconfig; otherwise the in-cluster ServiceAccount when
/// running in a Pod; otherwise the kubeconfig kubectl would use ($KUBECONFIG, ~/.kube/config).
/// </summary>
public static class ManagementCluster
{
    /// <summary>A client for the management cluster.</summary>
    /// <exception cref="ConfigurationException">No usable kubeconfig or ServiceAccount was found; the message says which were tried.</exception>
    public static KubernetesClient Connect(HostConfiguration configuration, ILoggerFactory loggerFactory, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        ClusterConnection connection;
        try
        {
            connection = configuration.Kubeconfig is { } path ? KubeconfigLoader.Load(path, configuration.KubeContext)
                : environment("KUBERNETES_SERVICE_HOST") is { Length: > 0 } ? InClusterConfiguration.Load()
                : KubeconfigLoader.LoadDefault(configuration.KubeContext);
        }
        catch (KubernetesConfigurationException exception)
        {
            throw new ConfigurationException(configuration.Kubeconfig is null
                ? $"kubeconfig: not set, not running in a Pod, and the default kubeconfig is not usable ({exception.Message}); set GRANARY_KUBECONFIG, --kubeconfig or `kubeconfig:` to the management cluster's kubeconfig"
                : $"kubeconfig: {exception.Message}");
        }

        loggerFactory.CreateLogger("Granary.Silo").LogInformation("Management cluster {Server} from {Source}", connection.Server, connection.Source);
        return new KubernetesClient(connection, logger: loggerFactory.CreateLogger<KubernetesClient>());
    }
}
