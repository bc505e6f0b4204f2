using System.Text;

namespace Granary.Demo;

/// <summary>
/// Shows the fleet converging: on a terminal a table redrawn in place (KIND, NAME, CLUSTER, REVISION, READY, MESSAGE);
/// otherwise one progress line per change of a resource, for logs and CI.
/// </summary>
public sealed class FleetDisplay(TextWriter output, bool redraw, DateTime started)
{
    private readonly Dictionary<string, string> shown = new(StringComparer.Ordinal);

    /// <summary>Whether the table is redrawn in place (a terminal) rather than printed as progress lines.</summary>
    public bool Redraws => redraw;

    /// <summary>Shows <paramref name="rows"/>: redraws the table with <paramref name="footer"/> below it, or prints the rows that changed.</summary>
    public void Show(IReadOnlyList<ResourceRow> rows, string header, string footer)
    {
        if (redraw)
        {
            var screen = new StringBuilder("\u001b[H\u001b[2J");
            screen.AppendLine(header).AppendLine();
            screen.Append(Table(rows, messageWidth: Math.Max(30, SafeWidth() - 100)));
            screen.AppendLine().Append(footer);
            output.Write(screen.ToString());
            output.Flush();
            return;
        }

        foreach (var row in rows)
        {
            var line = $"{row.Id} [{Cluster(row)}] ready={row.Ready} {Short(row.Revision)} {row.Reason}: {row.Message}";
            if (!shown.TryGetValue(row.Id, out var previous) || previous != line)
            {
                shown[row.Id] = line;
                output.WriteLine($"  +{(DateTime.UtcNow - started).TotalSeconds,5:0.0}s  {line}");
            }
        }
    }

    /// <summary>The table of <paramref name="rows"/>, messages cut to <paramref name="messageWidth"/> characters.</summary>
    public static string Table(IReadOnlyList<ResourceRow> rows, int messageWidth = int.MaxValue)
    {
        string[] headers = ["KIND", "NAME", "CLUSTER", "REVISION", "READY", "MESSAGE"];
        var cells = rows
            .OrderBy(r => KindOrder(r.Kind)).ThenBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => new[] { r.Kind, $"{r.Namespace}/{r.Name}", Cluster(r), Short(r.Revision), r.Suspended ? "Suspended" : r.Ready, Cut(r.Message ?? string.Empty, messageWidth) })
            .ToList();
        var widths = headers.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var line in cells.Prepend(headers))
        {
            text.AppendLine(string.Join("  ", line.Select((cell, i) => i == line.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString();
    }

    // A Cluster's own row names its API server; the Kustomizations and HelmReleases name the Cluster they target.
    private static string Cluster(ResourceRow row) => row.Kind == "Cluster" ? row.Name : row.Cluster switch
    {
        null or "" => "-",
        "management" => "staging (management)",
        var cluster => cluster,
    };

    private static int KindOrder(string kind) => kind switch
    {
        "GitRepository" => 0,
        "Cluster" => 1,
        "Kustomization" => 2,
        "HelmRelease" => 3,
        _ => 4,
    };

    // main@sha1:0123456789abcdef... → main@sha1:01234567, as flux get shows revisions.
    private static string Short(string? revision) => revision switch
    {
        null or "" => "-",
        _ when revision.IndexOf("@sha1:", StringComparison.Ordinal) is var at and >= 0 && revision.Length > at + 6 + 8 => revision[..(at + 6 + 8)],
        _ => revision,
    };

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..Math.Max(0, width - 1)] + "…";

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 160;
        }
        catch (IOException)
        {
            return 160;
        }
    }
}
