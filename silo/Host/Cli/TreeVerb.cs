using System.Text.Json.Nodes;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary tree &lt;kind&gt; &lt;name&gt; [-n ns]</c>: like <c>flux tree kustomization</c>, the resource with its source,
/// its dependsOn (recursively), the objects of its inventory and, as subtrees, the Granary resources it declared.
/// </summary>
public static class TreeVerb
{
    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "tree", "tree <kind> <name> [-n ns] [-o table|json|yaml]", "a resource's source, dependsOn, inventory and declared resources as a tree (read)",
        [CliSession.NamespaceOption, Printing.OutputOption], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var format = Printing.FormatOf(session.Arguments);
        var tree = await session.Api.GetJsonAsync(session.ResourcePath(session.Required(0, "<kind>"), session.Required(1, "<name>"), "tree"), cancellationToken);
        if (format != OutputFormat.Table)
        {
            await Printing.WriteAsync(session.Output, tree, format);
            return 0;
        }

        foreach (var line in TextTree.Lines(tree, Label, node => (node["children"] as JsonArray ?? []).Select(c => c!).ToList()))
        {
            await session.Output.WriteLineAsync(line);
        }

        return 0;
    }

    /// <summary>
    /// A node as one line: <c>Kind/namespace/name</c> (<c>Kind/name</c> when cluster-scoped), how it relates to its parent
    /// when that is not plain containment, and a Granary resource's readiness and revision.
    /// </summary>
    private static string Label(JsonNode node)
    {
        var @namespace = Printing.Text(node, "namespace");
        var name = $"{Printing.Text(node, "kind")}/{(string.IsNullOrEmpty(@namespace) ? string.Empty : @namespace + "/")}{Printing.Text(node, "name")}";
        var relation = Printing.Text(node, "relation") switch
        {
            "source" => " (source)",
            "dependsOn" => " (dependsOn)",
            "target" => " (cluster)",
            _ => string.Empty,
        };
        var state = new List<string>();
        if (Printing.Text(node, "ready") is { } ready)
        {
            state.Add($"Ready={ready}");
        }

        if (Printing.Text(node, "suspended") == "true")
        {
            state.Add("suspended");
        }

        if (Printing.Text(node, "revision") is { } revision)
        {
            state.Add(revision);
        }

        var note = Printing.Text(node, "note") is { } text ? $" ({text})" : string.Empty;
        return $"{name}{relation}{(state.Count > 0 ? $" [{string.Join(" ", state)}]" : string.Empty)}{note}";
    }
}
