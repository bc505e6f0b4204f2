using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Granary.Grains.Resources;

/// <summary>
/// Turns YAML documents into JSON nodes the way Kubernetes reads YAML: plain scalars become booleans, numbers
/// or null when they look like them, quoted scalars stay strings. Alias expansion is bounded, so a
/// "billion laughs" document is an error rather than an out-of-memory.
/// </summary>
public static partial class YamlToJson
{
    /// <summary>The most nodes one document may expand to.</summary>
    public const int MaxNodes = 1_000_000;

    /// <summary>Parses every document of a YAML stream; a syntax error names its line and column.</summary>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException exception)
        {
            throw new YamlFormatException(exception.Start.Line, exception.Start.Column, Unwrap(exception).Message);
        }
        catch (ArgumentException exception)
        {
            // YamlDotNet reports a duplicate mapping key this way.
            throw new YamlFormatException(0, 0, $"duplicate key ({exception.Message})");
        }

        var budget = MaxNodes;
        return stream.Documents.Select(document => Convert(document.RootNode, ref budget)).ToList();
    }

    private static Exception Unwrap(Exception exception) => exception.InnerException is { } inner and not null ? Unwrap(inner) : exception;

    private static JsonNode? Convert(YamlNode node, ref int budget)
    {
        if (--budget < 0)
        {
            throw new YamlFormatException(node.Start.Line, node.Start.Column, $"the document expands to more than {MaxNodes} nodes (aliases repeating aliases?)");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var json = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode scalarKey ? scalarKey.Value ?? string.Empty
                        : throw new YamlFormatException(key.Start.Line, key.Start.Column, "mapping keys must be plain strings");
                    if (json.ContainsKey(name))
                    {
                        throw new YamlFormatException(key.Start.Line, key.Start.Column, $"duplicate key '{name}'");
                    }

                    json[name] = Convert(value, ref budget);
                }

                return json;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, ref budget));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlFormatException(node.Start.Line, node.Start.Column, $"unsupported YAML node {node.NodeType}");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}

/// <summary>A YAML document that cannot be read; names the line and column.</summary>
public sealed class YamlFormatException(long line, long column, string reason)
    : FormatException(line > 0 ? $"line {line}, column {column}: {reason}" : reason)
{
    /// <summary>The 1-based line of the problem (0 when unknown).</summary>
    public long Line { get; } = line;
}
