using System.Text.Json.Nodes;

namespace Granary.Grains.Kubernetes.Apply;

/// <summary>Fields the API server maintains by itself; they differ between a dry-run and the live object without anyone changing anything.</summary>
public static class ServerManagedFields
{
    private static readonly string[] Metadata = ["managedFields", "resourceVersion", "generation", "selfLink", "uid", "creationTimestamp"];

    /// <summary>A copy of <paramref name="obj"/> without server-managed metadata and without status.</summary>
    public static JsonObject Without(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var field in Metadata)
            {
                metadata.Remove(field);
            }
        }

        return copy;
    }

    /// <summary>The <c>fieldsV1</c> that <paramref name="manager"/> owns through Apply, or null when it owns nothing.</summary>
    public static JsonObject? AppliedFields(JsonObject obj, string manager, out string? apiVersion)
    {
        apiVersion = null;
        foreach (var entry in (obj["metadata"]?["managedFields"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if ((string?)entry["manager"] == manager && (string?)entry["operation"] == "Apply" && string.IsNullOrEmpty((string?)entry["subresource"]))
            {
                apiVersion = (string?)entry["apiVersion"];
                return entry["fieldsV1"] as JsonObject;
            }
        }

        return null;
    }
}
