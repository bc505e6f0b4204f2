using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Grains.Kubernetes.Objects;

/// <summary>Structural comparison of JSON objects as Kubernetes means them: numbers by value (1 equals 1.0), key order ignored.</summary>
public static class JsonComparison
{
    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> are the same value.</summary>
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        switch (a, b)
        {
            case (null, null):
                return true;
            case (JsonObject x, JsonObject y):
                return x.Count == y.Count && x.All(p => y.TryGetPropertyValue(p.Key, out var other) && Equal(p.Value, other));
            case (JsonArray x, JsonArray y):
                return x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second));
            case (JsonValue x, JsonValue y):
                var kind = x.GetValueKind();
                if (kind != y.GetValueKind())
                {
                    return false;
                }

                return kind == JsonValueKind.Number
                    ? decimal.TryParse(x.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var dx)
                      && decimal.TryParse(y.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var dy) && dx == dy
                    : x.ToJsonString() == y.ToJsonString();
            default:
                return false;
        }
    }

    /// <summary>The jq-style paths (<c>.spec.replicas</c>, <c>.spec.containers[0].image</c>) where <paramref name="from"/> and <paramref name="to"/> differ.</summary>
    public static IReadOnlyList<string> Differences(JsonNode? from, JsonNode? to) => Compare(from, to).Select(d => d.Path).ToList();

    /// <summary>
    /// Where <paramref name="from"/> and <paramref name="to"/> differ, with both values: the deepest differing field, or a whole
    /// array when its length changed; a missing value is null.
    /// </summary>
    public static IReadOnlyList<JsonDifference> Compare(JsonNode? from, JsonNode? to)
    {
        var differences = new List<JsonDifference>();
        Collect(from, to, "", differences);
        return differences;
    }

    private static void Collect(JsonNode? from, JsonNode? to, string path, List<JsonDifference> differences)
    {
        switch (from, to)
        {
            case (JsonObject x, JsonObject y):
                foreach (var key in x.Select(p => p.Key).Union(y.Select(p => p.Key)))
                {
                    Collect(x[key], y[key], $"{path}.{Segment(key)}", differences);
                }

                break;
            case (JsonArray x, JsonArray y) when x.Count == y.Count:
                for (var i = 0; i < x.Count; i++)
                {
                    Collect(x[i], y[i], $"{path}[{i}]", differences);
                }

                break;
            default:
                if (!Equal(from, to))
                {
                    differences.Add(new JsonDifference(path.Length == 0 ? "." : path, from, to));
                }

                break;
        }
    }

    // Keys like app.kubernetes.io/name are quoted, as jq needs them.
    private static string Segment(string key) => key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? key : $"\"{key}\"";
}

/// <summary>One place where two JSON values differ.</summary>
/// <param name="Path">The jq-style path.</param>
/// <param name="From">The value there in the first (null when absent).</param>
/// <param name="To">The value there in the second (null when absent).</param>
public sealed record JsonDifference(string Path, JsonNode? From, JsonNode? To);
