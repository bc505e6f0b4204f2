using System.Text.Json.Nodes;
using Granary.Contracts.Resources;
using Granary.Grains.Kubernetes.Objects;
using ObjectMetadata = Granary.Grains.Kubernetes.Objects.ObjectMetadata;

namespace Granary.Grains.Build.Kustomize;

/// <summary>
/// kustomize's <c>images</c> transform: every <c>image</c> of an item in a <c>containers</c> or
/// <c>initContainers</c> list anywhere in an object whose name (without tag or digest) is the entry's name gets the
/// entry's new name, tag and/or digest (a new tag or digest replaces both the old tag and digest).
/// </summary>
internal static class KustomizeImages
{
    /// <summary>Applies one images entry to an object, in place.</summary>
    public static void Apply(JsonNode? node, KustomizeImage image)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map.ToList())
                {
                    if (key is "containers" or "initContainers" && value is JsonArray containers)
                    {
                        foreach (var container in containers.OfType<JsonObject>())
                        {
                            if (ObjectMetadata.String(container["image"]) is { } current && Update(current, image) is { } updated)
                            {
                                container["image"] = updated;
                            }
                        }
                    }

                    Apply(value, image);
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    Apply(item, image);
                }

                break;
        }
    }

    /// <summary>The new reference, or null when <paramref name="reference"/> is not the entry's image.</summary>
    internal static string? Update(string reference, KustomizeImage image)
    {
        var (name, tag, digest) = Split(reference);
        if (name != image.Name)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(image.NewName))
        {
            name = image.NewName;
        }

        if (!string.IsNullOrEmpty(image.NewTag) || !string.IsNullOrEmpty(image.Digest))
        {
            tag = image.NewTag ?? string.Empty;
            digest = image.Digest ?? string.Empty;
        }

        return name + (tag.Length > 0 ? ":" + tag : string.Empty) + (digest.Length > 0 ? "@" + digest : string.Empty);
    }

    /// <summary>Name, tag and digest of an image reference; a registry port (<c>host:5000/app</c>) is part of the name.</summary>
    internal static (string Name, string Tag, string Digest) Split(string reference)
    {
        var slash = reference.IndexOf('/');
        var start = slash > 0 ? slash : 0;
        var at = reference.IndexOf('@', start);
        var colon = reference.IndexOf(':', start);
        if (at >= 0 && (colon < 0 || at < colon))
        {
            return (reference[..at], string.Empty, reference[(at + 1)..]);
        }

        if (colon < 0)
        {
            return (reference, string.Empty, string.Empty);
        }

        return at >= 0
            ? (reference[..colon], reference[(colon + 1)..at], reference[(at + 1)..])
            : (reference[..colon], reference[(colon + 1)..], string.Empty);
    }
}
