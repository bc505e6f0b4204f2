namespace Granary.Grains.Secrets;

/// <summary>
/// Reads Secrets referenced by resources (Git credentials, decryption keys, kubeconfigs) from the management
/// cluster, as Flux's controllers read them from the cluster they run in. Values stay in memory only.
/// </summary>
public interface ISecretReader
{
    /// <summary>The Secret's data (decoded), or null when it does not exist.</summary>
    Task<IReadOnlyDictionary<string, string>?> ReadAsync(string ns, string name, CancellationToken cancellationToken);
}

/// <summary>Used when no management cluster is configured: every referenced Secret is an error that says so.</summary>
public sealed class NoManagementCluster : ISecretReader
{
    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>?> ReadAsync(string ns, string name, CancellationToken cancellationToken) =>
        throw new SecretReferenceException($"Secret {ns}/{name} cannot be read: no management cluster is configured, and Granary reads referenced Secrets from the cluster it manages itself from. Configure one, or remove the secretRef.");
}

/// <summary>A referenced Secret is missing, unreadable, or lacks the keys the resource needs. Never carries values.</summary>
public sealed class SecretReferenceException(string message) : Exception(message);
