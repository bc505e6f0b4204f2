using System.Text.Json;

namespace Granary.Contracts.Resources;

/// <summary>A Flux-style resource document: apiVersion, kind, metadata and a typed spec. <c>status</c> in input is ignored.</summary>
public abstract record ResourceDocument
{
    /// <summary>The API group/version, e.g. <c>kustomize.toolkit.fluxcd.io/v1</c>.</summary>
    public required string ApiVersion { get; init; }

    /// <summary>The kind, e.g. <c>Kustomization</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Name, namespace, labels, annotations.</summary>
    public required ObjectMetadata Metadata { get; init; }

    /// <summary>Ignored on input: status is Granary's to write.</summary>
    public JsonElement? Status { get; init; }

    /// <summary>The grain key: <c>namespace/name</c>.</summary>
    public string Key => $"{Metadata.EffectiveNamespace}/{Metadata.Name}";
}

/// <summary>A reference to another object by name (in the same namespace unless one is given).</summary>
public sealed record LocalObjectReference
{
    /// <summary>The referenced object's name.</summary>
    public required string Name { get; init; }
}

/// <summary>A reference to another object, optionally in another namespace.</summary>
public sealed record NamespacedObjectReference
{
    /// <summary>The referenced object's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its namespace; the referrer's namespace when omitted.</summary>
    public string? Namespace { get; init; }
}

/// <summary>A reference to a key of a Secret.</summary>
public sealed record SecretKeyReference
{
    /// <summary>The Secret's name.</summary>
    public required string Name { get; init; }

    /// <summary>The key within the Secret; a kind-specific default when omitted.</summary>
    public string? Key { get; init; }
}

/// <summary>Where a Kustomization or HelmRelease applies: another cluster through a kubeconfig Secret.</summary>
public sealed record KubeConfigReference
{
    /// <summary>The Secret holding the kubeconfig (key <c>value</c> or <c>value.yaml</c> by default).</summary>
    public required SecretKeyReference SecretRef { get; init; }
}
