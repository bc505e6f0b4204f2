using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Objects;
using Granary.Grains.Resources;

namespace Granary.Grains.Kubernetes.Manifests;

/// <summary>
/// Parses rendered multi-document YAML (kustomize or helm output) into JSON objects. Plain scalars are typed by the YAML
/// 1.2 core schema, as kustomize (kyaml) reads them: only <c>true</c>/<c>false</c> are booleans, <c>yes</c>/<c>on</c> stay strings.
/// </summary>
public static class ManifestReader
{
    /// <summary>Parses every non-empty document of <paramref name="yaml"/>; <c>kind: List</c> documents contribute their items.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="source">Where the text came from (a file or artifact path), named in errors.</param>
    public static IReadOnlyList<JsonObject> Parse(string yaml, string source = "manifests")
    {
        var documents = Read(yaml, source);
        var objects = new List<JsonObject>();
        for (var index = 0; index < documents.Count; index++)
        {
            var document = documents[index];
            var where = $"document {index + 1} of {source} (line {document.Line})";
            if (document.Node is null)
            {
                continue; // an empty document between two "---" lines, or comments only
            }

            if (document.Node is not JsonObject obj)
            {
                throw new ManifestException($"{where} is a {document.NodeType}, not a mapping; each document must be one Kubernetes object.");
            }

            if (ObjectMetadata.String(obj["kind"]) == "List" && obj["items"] is JsonArray items)
            {
                for (var i = 0; i < items.Count; i++)
                {
                    objects.Add(Validated(items[i] as JsonObject, $"{where}, items[{i}]"));
                }

                continue;
            }

            objects.Add(Validated(obj, where));
        }

        return objects;
    }

    /// <summary>Reads a single YAML mapping (a kubeconfig, say).</summary>
    internal static JsonObject ReadMapping(string yaml, string source) =>
        Read(yaml, source) is [{ Node: JsonObject obj }, ..]
            ? obj
            : throw new ManifestException($"{source} is not a YAML mapping.");

    private static IReadOnlyList<YamlDocumentNode> Read(string yaml, string source)
    {
        try
        {
            return YamlToJson.Parse(yaml);
        }
        catch (YamlFormatException e)
        {
            throw new ManifestException($"{source} is not valid YAML at line {e.Line}: {e.Reason}");
        }
    }

    private static JsonObject Validated(JsonObject? obj, string where)
    {
        if (obj is null)
        {
            throw new ManifestException($"{where} is not a mapping; each item must be one Kubernetes object.");
        }

        foreach (var field in new[] { "apiVersion", "kind" })
        {
            if (ObjectMetadata.String(obj[field]) is not { Length: > 0 })
            {
                throw new ManifestException($"{where} has no {field} (a non-empty string); every Kubernetes object needs apiVersion, kind and metadata.name.");
            }
        }

        if (obj["metadata"] is not JsonObject metadata || ObjectMetadata.String(metadata["name"]) is not { Length: > 0 })
        {
            throw new ManifestException(
                $"{where} ({obj["kind"]}) has no metadata.name (a non-empty string); generateName is not supported by server-side apply.");
        }

        return obj;
    }
}

public sealed class ManifestException(string message) : Exception(message);
