using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Silo.Configuration;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Wiring;

/// <summary>Connects to the management cluster: the configured kubeconfig, or the in-cluster ServiceAccount when none is set.</summary>
public static class ManagementCluster
{
    /// <summary>A client for the management cluster.</summary>
    /// <exception cref="ConfigurationException">Neither a usable kubeconfig nor an in-cluster ServiceAccount was found.</exception>
    public static KubernetesClient Connect(HostConfiguration configuration, ILoggerFactory loggerFactory)
    {
        ClusterConnection connection;
        try
        {
            connection = configuration.Kubeconfig is { } path
                ? KubeconfigLoader.Load(path, configuration.KubeContext)
                : InClusterConfiguration.Load();
        }
        catch (KubernetesConfigurationException exception)
        {
            throw new ConfigurationException(configuration.Kubeconfig is null
                ? $"kubeconfig: not set, and no in-cluster ServiceAccount was found ({exception.Message}); set GRANARY_KUBECONFIG, --kubeconfig or `kubeconfig:` to the management cluster's kubeconfig"
                : $"kubeconfig: {exception.Message}");
        }

        return new KubernetesClient(connection, logger: loggerFactory.CreateLogger<KubernetesClient>());
    }
}
