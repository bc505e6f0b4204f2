namespace Granary.Grains.Kubernetes.Configuration;

/// <summary>Credentials written into the kubeconfig itself (token, client certificate), which never change.</summary>
public sealed class StaticCredentials(ClientCredentials credentials) : ICredentialSource
{
    /// <inheritdoc />
    public ValueTask<ClientCredentials> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(credentials);

    /// <inheritdoc />
    public void Invalidate()
    {
    }
}
