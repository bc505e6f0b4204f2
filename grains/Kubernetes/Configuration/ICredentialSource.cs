namespace Granary.Grains.Kubernetes.Configuration;

/// <summary>Supplies current credentials; sources whose credentials expire (exec plugins, projected tokens) refresh them.</summary>
public interface ICredentialSource
{
    /// <summary>The credentials to use for the next request.</summary>
    ValueTask<ClientCredentials> GetAsync(CancellationToken cancellationToken);

    /// <summary>Forgets cached credentials after the server answered 401, so the next call fetches fresh ones.</summary>
    void Invalidate();
}
