namespace Granary.Grains.Kubernetes.Configuration;

/// <summary>
/// A bearer token read from a file (in-cluster service-account tokens, kubeconfig <c>tokenFile</c>). Projected tokens are
/// rotated by the kubelet, so the file is read again once a minute, as client-go does.
/// </summary>
public sealed class TokenFileCredentials(string path, TimeProvider? time = null) : ICredentialSource
{
    private static readonly TimeSpan RereadAfter = TimeSpan.FromMinutes(1);
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private ClientCredentials? cached;
    private DateTimeOffset readAt;

    /// <inheritdoc />
    public async ValueTask<ClientCredentials> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cached is { } current && now - readAt < RereadAfter)
        {
            return current;
        }

        string token;
        try
        {
            token = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        }
        catch (IOException e)
        {
            throw new KubernetesConfigurationException($"Cannot read the bearer token file {path}: {e.Message}", e);
        }

        if (token.Length == 0)
        {
            throw new KubernetesConfigurationException($"The bearer token file {path} is empty.");
        }

        readAt = now;
        return cached = new ClientCredentials(token, null);
    }

    /// <inheritdoc />
    public void Invalidate() => cached = null;
}
