using System.Text;
using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Secrets;

/// <summary>Reads referenced Secrets from the management cluster through the Kubernetes client.</summary>
public sealed class ClusterSecretReader(KubernetesClient cluster) : ISecretReader
{
    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>?> ReadAsync(string ns, string name, CancellationToken cancellationToken)
    {
        JsonObject? secret;
        try
        {
            secret = await cluster.TryGetAsync(new ObjectReference("v1", "Secret", ns, name), cancellationToken);
        }
        catch (KubernetesException exception)
        {
            // The server's message names the Secret and the missing right; it never carries Secret data.
            throw new SecretReferenceException($"Secret {ns}/{name} cannot be read: {exception.Message}");
        }

        if (secret is null)
        {
            return null;
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (secret["data"] is JsonObject entries)
        {
            foreach (var (key, value) in entries)
            {
                try
                {
                    data[key] = Encoding.UTF8.GetString(Convert.FromBase64String(value?.GetValue<string>() ?? string.Empty));
                }
                catch (FormatException)
                {
                    throw new SecretReferenceException($"Secret {ns}/{name}: key '{key}' is not valid base64; recreate the Secret");
                }
            }
        }

        return data;
    }
}
