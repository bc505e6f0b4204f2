using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Granary.Grains.Resources;

/// <summary>
/// Turns YAML documents into JSON nodes the way Kubernetes reads YAML: plain scalars become booleans, numbers
/// or null when they look like them; quoted or <c>!!str</c> scalars stay strings. Duplicate keys and merge keys
/// are refused with the field's path; alias expansion is bounded, so a "billion laughs" document is an error
/// rather than an out-of-memory. The one YAML reader for resources, manifests and kubeconfigs.
/// </summary>
public static partial class YamlToJson
{
    /// <summary>The most nodes one stream may expand to.</summary>
    public const int MaxNodes = 1_000_000;

    /// <summary>Parses every document of a YAML stream; a syntax error names its line and column.</summary>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string yaml) => Parse(yaml).Select(d => d.Node).ToList();

    /// <summary>Parses every document with the line it starts on and its YAML node type (for messages).</summary>
    public static IReadOnlyList<YamlDocumentNode> Parse(string yaml)
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

        var budget = MaxNodes;
        return stream.Documents
            .Select(document => new YamlDocumentNode(Convert(document.RootNode, string.Empty, ref budget), document.RootNode.Start.Line, document.RootNode.NodeType.ToString()))
            .ToList();
    }

    private static Exception Unwrap(Exception exception) => exception.InnerException is { } inner ? Unwrap(inner) : exception;

    private static JsonNode? Convert(YamlNode node, string path, ref int budget)
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
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new YamlFormatException(key.Start.Line, key.Start.Column, $"a key under {Display(path)} is not a string");
                    }

                    if (name == "<<")
                    {
                        throw new YamlFormatException(key.Start.Line, key.Start.Column, $"{Display(path)} uses a YAML merge key (<<); write the fields out instead");
                    }

                    if (json.ContainsKey(name))
                    {
                        throw new YamlFormatException(key.Start.Line, key.Start.Column, $"duplicate key: {Display(path + "." + name)} appears twice; remove one");
                    }

                    json[name] = Convert(value, path + "." + name, ref budget);
                }

                return json;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    array.Add(Convert(sequence.Children[i], $"{path}[{i}]", ref budget));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlFormatException(node.Start.Line, node.Start.Column, $"{Display(path)} is an unsupported YAML node ({node.NodeType})");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (scalar.Style is not ScalarStyle.Plain || tag is "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(text[0] is 't' or 'T');
        }

        if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }

    private static string Display(string path) => path.Length == 0 ? "the document" : path.TrimStart('.');

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}

/// <summary>One parsed YAML document: its JSON form, the line it starts on, and its YAML node type.</summary>
public sealed record YamlDocumentNode(JsonNode? Node, long Line, string NodeType);

/// <summary>A YAML document that cannot be read; names the line and column.</summary>
public sealed class YamlFormatException(long line, long column, string reason)
    : FormatException(line > 0 ? $"line {line}, column {column}: {reason}" : reason)
{
    /// <summary>The 1-based line of the problem (0 when unknown).</summary>
    public long Line { get; } = line;

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; } = reason;
}
