using System.Text.Json.Nodes;

namespace Granary.Grains.Kubernetes.Objects;

/// <summary>Names one Kubernetes object: API version, kind, namespace (empty for cluster-scoped objects) and name.</summary>
public sealed record ObjectReference(string ApiVersion, string Kind, string Namespace, string Name)
{
    /// <summary>The API group, empty for the core group (<c>v1</c>).</summary>
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";

    /// <summary>The version part of <see cref="ApiVersion"/>.</summary>
    public string Version => ApiVersion.Contains('/') ? ApiVersion[(ApiVersion.IndexOf('/') + 1)..] : ApiVersion;

    /// <summary>The group and kind, which together with namespace and name identify an object across versions.</summary>
    public GroupKind GroupKind => new(Group, Kind);

    /// <summary>Reads the reference of a manifest or live object; throws when apiVersion, kind or metadata.name is missing.</summary>
    public static ObjectReference Of(JsonObject manifest)
    {
        var apiVersion = manifest["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var av) && av.Length > 0 ? av : null;
        var kind = manifest["kind"] is JsonValue k && k.TryGetValue<string>(out var kv) && kv.Length > 0 ? kv : null;
        var metadata = manifest["metadata"] as JsonObject;
        var name = metadata?["name"] is JsonValue n && n.TryGetValue<string>(out var nv) && nv.Length > 0 ? nv : null;
        var @namespace = metadata?["namespace"] is JsonValue ns && ns.TryGetValue<string>(out var nsv) ? nsv : "";
        if (apiVersion is null || kind is null || name is null)
        {
            var missing = apiVersion is null ? "apiVersion" : kind is null ? "kind" : "metadata.name";
            throw new ArgumentException(
                $"A Kubernetes object ({kind ?? "kind unknown"} {name ?? "name unknown"}) has no {missing}; every object needs apiVersion, kind and metadata.name.");
        }

        return new ObjectReference(apiVersion, kind, @namespace, name);
    }

    /// <summary>The same object in <paramref name="namespace"/>.</summary>
    public ObjectReference InNamespace(string @namespace) => this with { Namespace = @namespace };

    /// <summary>Reads as kubectl names objects in messages: <c>Kind namespace/name</c> or <c>Kind name</c>.</summary>
    public override string ToString() => Namespace.Length > 0 ? $"{Kind} {Namespace}/{Name}" : $"{Kind} {Name}";
}

/// <summary>An API group and kind, e.g. <c>apps</c>/<c>Deployment</c>; the core group is empty.</summary>
public readonly record struct GroupKind(string Group, string Kind)
{
    /// <summary>Reads as <c>Kind.group</c>, as kubectl does.</summary>
    public override string ToString() => Group.Length > 0 ? $"{Kind}.{Group}" : Kind;
}
