using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary apply -f &lt;file|dir&gt;</c>: sends every YAML document of a file, or of every <c>.yaml</c>/<c>.yml</c>
/// file under a directory, in one request, so an invalid document anywhere applies nothing. Prints each applied
/// resource; on a refusal prints each error with its file, kind, name and field, and exits 1.
/// </summary>
public static partial class ApplyVerb
{
    private static readonly CliOption File = new("--filename", "-f", true, "a YAML file, or a directory of them (read recursively)");

    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "apply", "apply -f <file|dir>", "apply multi-document YAML; all or nothing (admin)", [File], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var path = session.Arguments.Value(File.Name) ?? throw new CliUsageException("-f <file|dir> is required");
        var documents = await ReadAsync(path, cancellationToken);
        if (documents.Count == 0)
        {
            throw new CliFailure($"{path} holds no YAML documents; give a file or a directory with .yaml files");
        }

        var body = new StringBuilder();
        foreach (var document in documents)
        {
            body.Append("---\n").Append(document.Text.TrimEnd()).Append('\n');
        }

        JsonNode applied;
        try
        {
            applied = await session.Api.PostAsync($"resources?source={Uri.EscapeDataString(path)}", ApiContent.Yaml(body.ToString()), cancellationToken);
        }
        catch (ApiRejection rejection)
        {
            await session.Error.WriteLineAsync($"granary apply: {rejection.Error.Message}");
            foreach (var error in rejection.Error.Errors ?? [])
            {
                await session.Error.WriteLineAsync("  " + Describe(error, documents));
            }

            return 1;
        }

        foreach (var view in applied["applied"] as JsonArray ?? [])
        {
            await session.Output.WriteLineAsync(
                $"{Printing.Text(view, "kind")} {Printing.Text(view, "metadata.namespace")}/{Printing.Text(view, "metadata.name")} applied (generation {Printing.Text(view, "metadata.generation")})");
        }

        return 0;
    }

    /// <summary>One error line: file (and document within it), kind, name, field, message.</summary>
    private static string Describe(JsonNode? error, IReadOnlyList<YamlDocument> documents)
    {
        var number = int.TryParse(Printing.Text(error, "document"), out var n) ? n : 0;
        var kind = Printing.Text(error, "kind");
        var name = Printing.Text(error, "name");

        // The API numbers documents within the body; map back to the file and the document's number there.
        var document = number >= 1 && number <= documents.Count ? documents[number - 1]
            : documents.FirstOrDefault(d => d.Kind == kind && name is not null && (d.Name == name || name.EndsWith("/" + d.Name, StringComparison.Ordinal)));
        var where = document is null ? Printing.Text(error, "source") : $"{document.File} (document {document.Index})";
        var what = string.Join(" ", new[] { kind, name }.Where(s => !string.IsNullOrEmpty(s)));
        var field = Printing.Text(error, "field");
        return $"{where}: {(what.Length > 0 ? what + ": " : string.Empty)}{(string.IsNullOrEmpty(field) ? string.Empty : field + ": ")}{Printing.Text(error, "message")}";
    }

    private static async Task<IReadOnlyList<YamlDocument>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        IEnumerable<string> files;
        if (Directory.Exists(path))
        {
            files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal);
        }
        else if (System.IO.File.Exists(path))
        {
            files = [path];
        }
        else
        {
            throw new CliFailure($"-f: {path} is neither a file nor a directory");
        }

        var documents = new List<YamlDocument>();
        foreach (var file in files)
        {
            var text = await System.IO.File.ReadAllTextAsync(file, cancellationToken);
            var index = 0;
            foreach (var part in Separator().Split(text.ReplaceLineEndings("\n")))
            {
                // Empty and comment-only documents are dropped: they apply nothing, and numbering skips them.
                if (part.Split('\n').All(line => line.Trim().Length == 0 || line.TrimStart().StartsWith('#')))
                {
                    continue;
                }

                index++;

                documents.Add(new YamlDocument(file, index, part, Field(part, KindLine()), Field(part, NameLine())));
            }
        }

        return documents;
    }

    private static string? Field(string text, Regex pattern) => pattern.Match(text) is { Success: true } match ? match.Groups[1].Value.Trim().Trim('"', '\'') : null;

    [GeneratedRegex(@"^---[^\n]*\n?", RegexOptions.Multiline)]
    private static partial Regex Separator();

    [GeneratedRegex(@"^kind:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex KindLine();

    [GeneratedRegex(@"^metadata:\s*\n(?:[ \t]+[^\n]*\n)*?[ \t]+name:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex NameLine();

    /// <summary>One YAML document of a file.</summary>
    private sealed record YamlDocument(string File, int Index, string Text, string? Kind, string? Name);
}
