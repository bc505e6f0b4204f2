namespace Granary.Testing.Kubernetes;

/// <summary>A namespace with a unique name that one test owns; disposing it deletes it (without waiting for the deletion to finish).</summary>
public sealed class TestNamespace : IAsyncDisposable
{
    private readonly LocalCluster cluster;

    internal TestNamespace(LocalCluster cluster, string name)
    {
        this.cluster = cluster;
        Name = name;
    }

    /// <summary>The namespace's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await cluster.Admin.DeleteAsync($"/api/v1/namespaces/{Name}");
        }
        catch (HttpRequestException)
        {
            // The cluster is already gone at the end of the run.
        }
    }
}
