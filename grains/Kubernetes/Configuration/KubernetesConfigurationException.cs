namespace Granary.Grains.Kubernetes.Configuration;

/// <summary>A kubeconfig or in-cluster configuration that cannot be used; the message names the source, context and field.</summary>
public sealed class KubernetesConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
