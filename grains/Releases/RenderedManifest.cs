using System.Text;
using System.Text.Json.Nodes;
using Granary.EventStore.Blobs;

namespace Granary.Grains.Releases;

/// <summary>
/// A release's rendered objects as stored in the blob store: one JSON object per document, with every Secret value
/// (<c>data</c>, <c>stringData</c>) replaced by the digest of its value, so decrypted data is never stored (DESIGN §4).
/// </summary>
public static class RenderedManifest
{
    private const string Separator = "\n---\n";

    /// <summary>The storable form of <paramref name="objects"/>.</summary>
    public static byte[] Serialize(IReadOnlyList<JsonObject> objects) =>
        Encoding.UTF8.GetBytes(string.Join(Separator, objects.Select(o => Redacted(o).ToJsonString())));

    /// <summary>The objects of a stored manifest (Secrets carry digests instead of values).</summary>
    public static IReadOnlyList<JsonObject> Deserialize(byte[] stored) =>
        Encoding.UTF8.GetString(stored).Split(Separator, StringSplitOptions.RemoveEmptyEntries).Select(d => JsonNode.Parse(d)!.AsObject()).ToList();

    /// <summary>Whether <paramref name="obj"/> is a Secret (whose stored form has no values).</summary>
    public static bool IsSecret(JsonObject obj) => obj["kind"]?.GetValue<string>() == "Secret" && obj["apiVersion"]?.GetValue<string>() == "v1";

    private static JsonObject Redacted(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        if (!IsSecret(copy))
        {
            return copy;
        }

        foreach (var field in new[] { "data", "stringData" })
        {
            if (copy[field] is JsonObject values)
            {
                foreach (var key in values.Select(p => p.Key).ToList())
                {
                    values[key] = BlobStore.DigestOf(Encoding.UTF8.GetBytes(values[key]?.ToString() ?? string.Empty));
                }
            }
        }

        return copy;
    }
}
