using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Apply;

/// <summary>
/// Decides, from a live object alone, that applying a manifest again would change nothing — the fast path of an
/// unchanged re-apply. It holds when (1) every field of the manifest has the same value in the live object, and (2) our
/// field manager owns, through Apply, exactly the manifest's fields: no other manager took one over (kubectl edit, a
/// controller) and no field we applied before has left the manifest (server-side apply would remove it). Atomic lists
/// and maps (a leaf in the field set) must be equal as a whole. Anything else — a null, an unknown list encoding, a value
/// the server normalised — answers "don't know", and the engine falls back to a dry-run apply, so this check can only
/// make an apply faster, never skip a needed change.
/// </summary>
public static class AppliedStateCheck
{
    /// <summary>Whether <paramref name="live"/> already is what applying <paramref name="desired"/> as <paramref name="fieldManager"/> would make it.</summary>
    public static bool AlreadyApplied(JsonObject desired, JsonObject live, string fieldManager)
    {
        var fields = ServerManagedFields.AppliedFields(live, fieldManager, out var apiVersion);
        return fields is not null && apiVersion == (string?)desired["apiVersion"] && Matches(desired, live, fields, Level.Root);
    }

    private enum Level
    {
        Root,
        Metadata,
        Nested,
    }

    private static bool Matches(JsonNode? desired, JsonNode? live, JsonObject fields, Level level)
    {
        if (desired is null)
        {
            return false; // a null in an apply removes the field; let the dry run say what happens
        }

        var children = 0;
        foreach (var (key, _) in fields)
        {
            if (key != "." && !(level == Level.Metadata && key is "f:name" or "f:namespace"))
            {
                children++;
            }
        }

        if (children == 0)
        {
            return JsonComparison.Equal(desired, live); // a scalar, or an atomic list or map
        }

        return desired switch
        {
            JsonObject map => live is JsonObject liveMap && MatchesMap(map, liveMap, fields, level, children),
            JsonArray list => live is JsonArray liveList && MatchesList(list, liveList, fields, children),
            _ => false,
        };
    }

    private static bool MatchesMap(JsonObject desired, JsonObject live, JsonObject fields, Level level, int owned)
    {
        var seen = 0;
        foreach (var (key, value) in desired)
        {
            if ((level == Level.Root && key is "apiVersion" or "kind") || (level == Level.Metadata && key is "name" or "namespace"))
            {
                continue;
            }

            // The server omits empty maps, and server-side apply may not record them: an empty map in the manifest
            // matches a field the live object lacks.
            var liveHasKey = live.TryGetPropertyValue(key, out var liveValue);
            if (value is JsonObject { Count: 0 } && !liveHasKey)
            {
                seen += fields.ContainsKey($"f:{key}") ? 1 : 0;
                continue;
            }

            if (fields[$"f:{key}"] is not JsonObject child || !liveHasKey)
            {
                return false;
            }

            seen++;
            if (!Matches(value, liveValue, child, level == Level.Root && key == "metadata" ? Level.Metadata : Level.Nested))
            {
                return false;
            }
        }

        return seen == owned;
    }

    private static bool MatchesList(JsonArray desired, JsonArray live, JsonObject fields, int owned)
    {
        if (desired.Count != owned)
        {
            return false;
        }

        foreach (var (key, child) in fields)
        {
            if (key == ".")
            {
                continue;
            }

            if (key.StartsWith("k:", StringComparison.Ordinal) && child is JsonObject sub && JsonNode.Parse(key[2..]) is JsonObject keyFields)
            {
                // An associative list (containers by name, ports by containerPort+protocol): find our element and the live one by key.
                var mine = Single(desired, keyFields);
                var theirs = Single(live, keyFields);
                if (mine is null || theirs is null || !Matches(mine, theirs, sub, Level.Nested))
                {
                    return false;
                }
            }
            else if (key.StartsWith("v:", StringComparison.Ordinal))
            {
                // A set of scalars (finalizers): the value must be in both lists.
                var value = JsonNode.Parse(key[2..]);
                if (!desired.Any(d => JsonComparison.Equal(d, value)) || !live.Any(l => JsonComparison.Equal(l, value)))
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private static JsonObject? Single(JsonArray list, JsonObject keyFields)
    {
        JsonObject? found = null;
        foreach (var element in list.OfType<JsonObject>())
        {
            if (keyFields.All(k => JsonComparison.Equal(element[k.Key], k.Value)))
            {
                if (found is not null)
                {
                    return null;
                }

                found = element;
            }
        }

        return found;
    }
}
