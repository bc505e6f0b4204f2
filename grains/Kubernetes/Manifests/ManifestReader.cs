using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Grains.Kubernetes.Objects;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Granary.Grains.Kubernetes.Manifests;

/// <summary>
/// Parses rendered multi-document YAML (kustomize or helm output) into JSON objects. Plain scalars are typed by the YAML
/// 1.2 core schema, as kustomize (kyaml) reads them: only <c>true</c>/<c>false</c> are booleans, <c>yes</c>/<c>on</c> stay strings.
/// </summary>
public static partial class ManifestReader
{
    /// <summary>Parses every non-empty document of <paramref name="yaml"/>; <c>kind: List</c> documents contribute their items.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="source">Where the text came from (a file or artifact path), named in errors.</param>
    public static IReadOnlyList<JsonObject> Parse(string yaml, string source = "manifests")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ManifestException($"{source} is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }

        var objects = new List<JsonObject>();
        for (var index = 0; index < stream.Documents.Count; index++)
        {
            var root = stream.Documents[index].RootNode;
            var where = $"document {index + 1} of {source} (line {root.Start.Line})";
            if (root is YamlScalarNode { Style: ScalarStyle.Plain } empty && IsNull(empty.Value))
            {
                continue; // an empty document between two "---" lines, or comments only
            }

            if (ToJson(root, where, "") is not JsonObject obj)
            {
                throw new ManifestException($"{where} is a {root.NodeType}, not a mapping; each document must be one Kubernetes object.");
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

    /// <summary>Reads a YAML file that is one mapping (a kubeconfig) as JSON, with the same scalar typing.</summary>
    internal static JsonObject ReadMapping(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ManifestException($"{source} is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }

        return stream.Documents.Count > 0 && ToJson(stream.Documents[0].RootNode, source, "") is JsonObject obj
            ? obj
            : throw new ManifestException($"{source} is not a YAML mapping.");
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

    private static JsonNode? ToJson(YamlNode node, string where, string path)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new ManifestException($"{where}: a key under {Display(path)} (line {keyNode.Start.Line}) is not a string.");
                    }

                    if (key == "<<")
                    {
                        throw new ManifestException($"{where}: {Display(path)} uses a YAML merge key (<<, line {keyNode.Start.Line}); write the fields out instead.");
                    }

                    if (obj.ContainsKey(key))
                    {
                        throw new ManifestException($"{where}: {Display(path + "." + key)} appears twice (line {keyNode.Start.Line}); remove one.");
                    }

                    obj[key] = ToJson(valueNode, where, path + "." + key);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    array.Add(ToJson(sequence.Children[i], where, $"{path}[{i}]"));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new ManifestException($"{where}: {Display(path)} (line {node.Start.Line}) is an unsupported YAML node.");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (scalar.Style != ScalarStyle.Plain || tag is "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(value);
        }

        if (IsNull(value))
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(value[0] is 't' or 'T');
        }

        if (Integer().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (value.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(value[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (Float().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }

    private static bool IsNull(string? value) => value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Display(string path) => path.Length == 0 ? "the document" : path.TrimStart('.');

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}

/// <summary>Rendered manifests that cannot be read as Kubernetes objects; the message names the document and field.</summary>
public sealed class ManifestException(string message) : Exception(message);
