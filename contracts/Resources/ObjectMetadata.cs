using System.Text.Json;

namespace Granary.Contracts.Resources;

/// <summary>A resource's metadata as written in Git. Server-managed fields are accepted and ignored.</summary>
public sealed record ObjectMetadata
{
    /// <summary>The resource's name.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace; defaults to <c>default</c> when the document omits it.</summary>
    public string? Namespace { get; init; }

    /// <summary>Labels.</summary>
    public Dictionary<string, string>? Labels { get; init; }

    /// <summary>Annotations.</summary>
    public Dictionary<string, string>? Annotations { get; init; }

    /// <summary>Finalizers (kept for fidelity; Granary does not use them).</summary>
    public List<string>? Finalizers { get; init; }

    /// <summary>Ignored: written by an API server, e.g. in YAML exported with kubectl.</summary>
    public JsonElement? CreationTimestamp { get; init; }

    /// <summary>Ignored: server-managed.</summary>
    public JsonElement? Uid { get; init; }

    /// <summary>Ignored: server-managed.</summary>
    public JsonElement? ResourceVersion { get; init; }

    /// <summary>Ignored: Granary counts generations itself.</summary>
    public JsonElement? Generation { get; init; }

    /// <summary>Ignored: server-managed.</summary>
    public JsonElement? ManagedFields { get; init; }

    /// <summary>Ignored: server-managed.</summary>
    public JsonElement? SelfLink { get; init; }

    /// <summary>Ignored: server-managed.</summary>
    public JsonElement? OwnerReferences { get; init; }

    /// <summary>The namespace, with Kubernetes' default applied.</summary>
    public string EffectiveNamespace => string.IsNullOrEmpty(Namespace) ? "default" : Namespace;
}
