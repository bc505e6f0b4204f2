using System.Text.Json.Nodes;

namespace Granary.Grains.Kubernetes.Objects;

/// <summary>Reads and writes the metadata of JSON objects without generated models.</summary>
public static class ObjectMetadata
{
    /// <summary>A label's value, or null.</summary>
    public static string? Label(JsonObject obj, string key) => StringAt(obj["metadata"]?["labels"], key);

    /// <summary>An annotation's value, or null.</summary>
    public static string? Annotation(JsonObject obj, string key) => StringAt(obj["metadata"]?["annotations"], key);

    /// <summary>Sets a label, creating metadata.labels when needed.</summary>
    public static void SetLabel(JsonObject obj, string key, string value) => Map(obj, "labels")[key] = value;

    /// <summary>metadata.generation, or 0.</summary>
    public static long Generation(JsonObject obj) => Long(obj["metadata"]?["generation"]);

    /// <summary>A number at <paramref name="node"/> as long, 0 when absent.</summary>
    public static long Long(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var result) ? result : 0;

    /// <summary>A string at <paramref name="node"/>, or null.</summary>
    public static string? String(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var result) ? result : null;

    /// <summary>The condition of <paramref name="type"/> in status.conditions, or null.</summary>
    public static JsonObject? Condition(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => String(c["type"]) == type);

    private static string? StringAt(JsonNode? map, string key) => map is JsonObject o ? String(o[key]) : null;

    private static JsonObject Map(JsonObject obj, string field)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            obj["metadata"] = metadata = [];
        }

        if (metadata[field] is not JsonObject map)
        {
            metadata[field] = map = [];
        }

        return map;
    }
}
