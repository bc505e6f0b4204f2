using System.Text.Json.Nodes;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary get [kind] [name]</c>: resources as <c>flux get</c> shows them (NAME, REVISION, SUSPENDED, READY,
/// MESSAGE; KIND when listing every kind; NAMESPACE with <c>-A</c>), or the API's JSON / YAML with <c>-o</c>.
/// <c>--watch</c> keeps polling and prints each row again when it changes.
/// </summary>
public static class GetVerb
{
    /// <summary>How often <c>--watch</c> asks again.</summary>
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    private static readonly CliOption AllNamespaces = new("--all-namespaces", "-A", false, "list every namespace");
    private static readonly CliOption Watch = new("--watch", "-w", false, "keep printing rows as they change (Ctrl+C stops)");

    /// <summary>The verb.</summary>
    public static ClientVerb Verb { get; } = new(
        "get", "get [kind] [name] [-n ns | -A] [-o table|json|yaml] [--watch]", "list resources with their readiness (read)",
        [CliSession.NamespaceOption, AllNamespaces, Printing.OutputOption, Watch], RunAsync);

    private static async Task<int> RunAsync(CliSession session, CancellationToken cancellationToken)
    {
        var format = Printing.FormatOf(session.Arguments);
        var kind = session.Arguments.Positional.ElementAtOrDefault(0);
        var name = session.Arguments.Positional.ElementAtOrDefault(1);
        var all = session.Arguments.Flag(AllNamespaces.Name);
        if (session.Arguments.Positional.Count > 2)
        {
            throw new CliUsageException($"unexpected argument '{session.Arguments.Positional[2]}'");
        }

        if (name is not null && all)
        {
            throw new CliUsageException("-A lists every namespace; to get one resource give its namespace with -n");
        }

        var (answer, table) = await FetchAsync(session, kind, name, all, cancellationToken);
        if (format != OutputFormat.Table)
        {
            await Printing.WriteAsync(session.Output, answer, format);
            return 0;
        }

        if (table.Count == 0 && !session.Arguments.Flag(Watch.Name))
        {
            await session.Error.WriteLineAsync($"no {kind ?? "resources"} found {(all ? "in any namespace" : $"in namespace {session.Namespace}")}");
            return 0;
        }

        var lines = table.Lines().ToList();
        foreach (var line in lines)
        {
            await session.Output.WriteLineAsync(line);
        }

        if (!session.Arguments.Flag(Watch.Name))
        {
            return 0;
        }

        // A row is printed again when any of its cells changed; the header keeps the first widths.
        var seen = new HashSet<string>(lines.Skip(1), StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(WatchInterval, cancellationToken);
            var (_, next) = await FetchAsync(session, kind, name, all, cancellationToken);
            foreach (var line in next.Lines(withHeader: false).Where(seen.Add))
            {
                await session.Output.WriteLineAsync(line);
            }

            await session.Output.FlushAsync(cancellationToken);
        }

        return 0;
    }

    private static async Task<(JsonNode Answer, TextTable Table)> FetchAsync(CliSession session, string? kind, string? name, bool all, CancellationToken cancellationToken)
    {
        if (kind is not null && name is not null)
        {
            var view = await session.Api.GetJsonAsync(session.ResourcePath(kind, name), cancellationToken);
            var single = new TextTable("NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE");
            single.Add(
                Printing.Text(view, "metadata.name"),
                Printing.Text(view, "status.lastAppliedRevision") ?? Printing.Text(view, "status.artifact.revision"),
                Printing.Text(view, "status.suspended") == "true" ? "True" : "False",
                Printing.Text(view, "status.ready"),
                Printing.Text(view, "status.message"));
            return (view, single);
        }

        var query = new List<string>();
        if (kind is not null)
        {
            query.Add($"kind={Uri.EscapeDataString(kind)}");
        }

        if (!all)
        {
            query.Add($"namespace={Uri.EscapeDataString(session.Namespace)}");
        }

        var list = await session.Api.GetJsonAsync("resources" + (query.Count > 0 ? "?" + string.Join("&", query) : string.Empty), cancellationToken);
        string[] columns = [.. all ? ["NAMESPACE"] : Array.Empty<string>(), .. kind is null ? ["KIND"] : Array.Empty<string>(), "NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"];
        var table = new TextTable(columns);
        var rows = (list["items"] as JsonArray ?? [])
            .OrderBy(r => Printing.Text(r, "kind"), StringComparer.Ordinal)
            .ThenBy(r => Printing.Text(r, "namespace"), StringComparer.Ordinal)
            .ThenBy(r => Printing.Text(r, "name"), StringComparer.Ordinal);
        foreach (var row in rows)
        {
            string?[] cells =
            [
                .. all ? [Printing.Text(row, "namespace")] : Array.Empty<string?>(),
                .. kind is null ? [Printing.Text(row, "kind")] : Array.Empty<string?>(),
                Printing.Text(row, "name"),
                Printing.Text(row, "revision"),
                Printing.Text(row, "suspended") == "true" ? "True" : "False",
                Printing.Text(row, "ready"),
                Printing.Text(row, "message"),
            ];
            table.Add(cells);
        }

        return (list, table);
    }
}
