using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Granary.Silo.Cli;

/// <summary>How a verb prints what the API answered: a human table, or the JSON / YAML of the answer itself.</summary>
public enum OutputFormat
{
    /// <summary>A table or timeline for people.</summary>
    Table,

    /// <summary>The API's JSON, indented.</summary>
    Json,

    /// <summary>The API's answer as YAML.</summary>
    Yaml,
}

/// <summary>Parses <c>-o</c> and writes JSON answers as JSON or YAML.</summary>
public static class Printing
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The <c>-o/--output</c> option.</summary>
    public static readonly CliOption OutputOption = new("--output", "-o", true, "table, json or yaml");

    /// <summary>The format named by <c>-o</c> (table when absent).</summary>
    public static OutputFormat FormatOf(CliArguments arguments) => arguments.Value(OutputOption.Name)?.ToLowerInvariant() switch
    {
        null or "table" or "wide" => OutputFormat.Table,
        "json" => OutputFormat.Json,
        "yaml" or "yml" => OutputFormat.Yaml,
        var other => throw new CliUsageException($"-o: '{other}' is not an output format; use table, json or yaml"),
    };

    /// <summary>Writes <paramref name="node"/> as indented JSON or as YAML.</summary>
    public static async Task WriteAsync(TextWriter output, JsonNode node, OutputFormat format)
    {
        if (format == OutputFormat.Yaml)
        {
            await output.WriteAsync(Yaml(node));
            return;
        }

        await output.WriteLineAsync(node.ToJsonString(Indented));
    }

    /// <summary><paramref name="node"/> as YAML; strings that would read back as another type (<c>"true"</c>, <c>"1"</c>) are quoted.</summary>
    public static string Yaml(JsonNode node) => new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(Plain(node));

    /// <summary>A JSON node as dictionaries, lists and scalars, which YAML serializes naturally.</summary>
    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray a => a.Select(Plain).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        _ => node.ToJsonString(),
    };

    /// <summary>A string property of <paramref name="node"/> at <paramref name="path"/> (dot-separated), or null.</summary>
    public static string? Text(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        return node switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => node.ToJsonString(),
        };
    }

    /// <summary>An instant as the tables show it: UTC to the second, ISO 8601.</summary>
    public static string Time(string? iso) =>
        DateTimeOffset.TryParse(iso, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
            : iso ?? string.Empty;
}
