namespace Granary.Silo.Resources;

/// <summary>The resource kinds this silo serves, found by their YAML kind (any case, as kubectl accepts) or their grain kind.</summary>
public sealed class ResourceKinds
{
    private readonly List<ResourceKind> _kinds = [];

    /// <summary>Every kind, in apply order.</summary>
    public IReadOnlyList<ResourceKind> All => _kinds;

    /// <summary>Serves <paramref name="kind"/>.</summary>
    public ResourceKinds Add(ResourceKind kind)
    {
        if (_kinds.Any(k => k.Kind == kind.Kind))
        {
            throw new InvalidOperationException($"Resource kind {kind.Kind} is registered twice.");
        }

        _kinds.Add(kind);
        _kinds.Sort((a, b) => a.ApplyOrder.CompareTo(b.ApplyOrder));
        return this;
    }

    /// <summary>The kind named <paramref name="name"/> (e.g. <c>Kustomization</c>, <c>kustomization</c>, <c>kustomizations</c>, <c>gitrepositories</c>), or null.</summary>
    public ResourceKind? Find(string name) => _kinds.FirstOrDefault(k =>
        string.Equals(k.Kind, name, StringComparison.OrdinalIgnoreCase) || string.Equals(Plural(k.Kind), name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The plural Kubernetes resource name of a kind: Kustomization → kustomizations, GitRepository → gitrepositories.</summary>
    public static string Plural(string kind) => kind.EndsWith('y') ? kind[..^1] + "ies" : kind.EndsWith('s') ? kind + "es" : kind + "s";

    /// <summary>The kind whose streams start with <c>grainKind/</c>, or null.</summary>
    public ResourceKind? ForStream(string streamId)
    {
        var slash = streamId.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 ? null : _kinds.FirstOrDefault(k => streamId.AsSpan(0, slash).SequenceEqual(k.GrainKind));
    }

    /// <summary>The names accepted, for error messages.</summary>
    public string Names => string.Join(", ", _kinds.Select(k => k.Kind));
}
