namespace Granary.Silo.Cli;

/// <summary>
/// A plain-text table like <c>flux get</c>'s: upper-case headers, columns left-aligned and padded to their widest
/// cell, separated by three spaces, no trailing blanks. Cells are single lines.
/// </summary>
public sealed class TextTable(params string[] headers)
{
    private const string Gap = "   ";
    private readonly List<string[]> _rows = [];

    /// <summary>How many rows were added.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds a row; a null cell prints as empty.</summary>
    public void Add(params string?[] cells) =>
        _rows.Add(headers.Select((_, i) => (i < cells.Length ? cells[i] ?? string.Empty : string.Empty).ReplaceLineEndings(" ")).ToArray());

    /// <summary>The header line and one line per row.</summary>
    public IEnumerable<string> Lines(bool withHeader = true)
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var lines = withHeader ? _rows.Prepend(headers) : _rows;
        return lines.Select(cells => string.Join(Gap, cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
    }

    /// <summary>Writes the table to <paramref name="output"/>.</summary>
    public async Task WriteAsync(TextWriter output)
    {
        foreach (var line in Lines())
        {
            await output.WriteLineAsync(line);
        }
    }
}
