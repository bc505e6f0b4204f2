namespace Granary.Grains.Kubernetes.Discovery;

/// <summary>Where a kind lives in the REST API: its group, version, plural resource name, and whether it is namespaced.</summary>
public sealed record ResourceMapping(string Group, string Version, string Kind, string Resource, bool Namespaced)
{
    /// <summary><c>group/version</c>, or just the version for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The URL path of the group version: <c>/api/v1</c> or <c>/apis/group/version</c>.</summary>
    public string GroupVersionPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    /// <summary>The collection path, in <paramref name="namespace"/> when the resource is namespaced.</summary>
    public string CollectionPath(string? @namespace) => Namespaced && !string.IsNullOrEmpty(@namespace)
        ? $"{GroupVersionPath}/namespaces/{Uri.EscapeDataString(@namespace)}/{Resource}"
        : $"{GroupVersionPath}/{Resource}";

    /// <summary>The path of one object.</summary>
    public string ObjectPath(string? @namespace, string name) => $"{CollectionPath(@namespace)}/{Uri.EscapeDataString(name)}";
}
