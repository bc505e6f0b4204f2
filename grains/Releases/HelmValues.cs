using System.Text.Json.Nodes;

namespace Granary.Grains.Releases;

/// <summary>
/// Helm values as Flux composes them: maps merge recursively and anything else is replaced (Helm's <c>MergeMaps</c>), and a
/// flat value can be put at a dotted path (<c>valuesFrom[].targetPath</c>), typed as Helm's <c>--set</c> types it unless quoted.
/// </summary>
public static class HelmValues
{
    /// <summary>Merges <paramref name="overlay"/> into <paramref name="target"/> (overlay wins; nested maps merge).</summary>
    public static void Merge(JsonObject target, JsonObject overlay)
    {
        foreach (var (key, value) in overlay.ToList())
        {
            if (value is JsonObject inner && target[key] is JsonObject existing)
            {
                Merge(existing, inner);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>Sets <paramref name="text"/> at the dotted <paramref name="path"/> (<c>\.</c> escapes a dot), creating maps on the way.</summary>
    /// <exception cref="ArgumentException">The path is empty, has an empty segment or a list index.</exception>
    public static void SetPath(JsonObject target, string path, string text)
    {
        var segments = Split(path);
        if (segments.Count == 0 || segments.Any(s => s.Length == 0))
        {
            throw new ArgumentException($"targetPath '{path}' is not a dotted path; write it like image.tag");
        }

        if (segments.Any(s => s.Contains('[', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"targetPath '{path}': list indexes are not supported yet; point at a map key, or move the value into valuesKey YAML");
        }

        var node = target;
        foreach (var segment in segments.SkipLast(1))
        {
            if (node[segment] is not JsonObject child)
            {
                child = new JsonObject();
                node[segment] = child;
            }

            node = child;
        }

        node[segments[^1]] = Typed(text);
    }

    /// <summary>Helm's <c>--set</c> typing: true/false, null and whole numbers are typed; quoted text and anything else stays a string.</summary>
    public static JsonNode? Typed(string text)
    {
        if (text.Length >= 2 && (text[0] == '"' && text[^1] == '"' || text[0] == '\'' && text[^1] == '\''))
        {
            return JsonValue.Create(text[1..^1]);
        }

        return text switch
        {
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            "null" => null,
            _ when text.Length > 0 && (text.Length == 1 || text[0] != '0') && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ => JsonValue.Create(text),
        };
    }

    private static List<string> Split(string path)
    {
        var segments = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '\\' && i + 1 < path.Length && path[i + 1] == '.')
            {
                current.Append('.');
                i++;
            }
            else if (path[i] == '.')
            {
                segments.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(path[i]);
            }
        }

        segments.Add(current.ToString());
        return segments;
    }
}
