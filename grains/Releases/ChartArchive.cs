using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Granary.Grains.Releases;

/// <summary>Reads files of a packaged chart (<c>&lt;chart&gt;/…</c> inside a .tgz) without extracting it.</summary>
public static class ChartArchive
{
    private const long MaxFileBytes = 5L * 1024 * 1024;

    /// <summary>The text of <paramref name="path"/> (relative to the chart's root directory), or null when the chart has no such file.</summary>
    /// <exception cref="InvalidDataException">The archive is not a gzipped tar, or the path leaves the chart.</exception>
    public static async Task<string?> ReadFileAsync(byte[] archive, string path, CancellationToken cancellationToken)
    {
        var wanted = path.Replace('\\', '/').TrimStart('.', '/');
        if (wanted.Length == 0 || wanted.Split('/').Contains(".."))
        {
            throw new InvalidDataException($"'{path}' is not a path inside the chart; give one like values-prod.yaml");
        }

        await using var gzip = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var name = entry.Name.Replace('\\', '/');
            var slash = name.IndexOf('/');
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || slash < 0 || name[(slash + 1)..] != wanted)
            {
                continue;
            }

            if (entry.Length > MaxFileBytes || entry.DataStream is null)
            {
                throw new InvalidDataException($"'{path}' in the chart is larger than {MaxFileBytes} bytes");
            }

            using var reader = new StreamReader(entry.DataStream, Encoding.UTF8);
            return await reader.ReadToEndAsync(cancellationToken);
        }

        return null;
    }

    /// <summary>The files directly in the chart's <c>crds/</c> directory (YAML or JSON), by name, as Helm reads them: not templated.</summary>
    /// <exception cref="InvalidDataException">The archive is not a gzipped tar, or a file is too large.</exception>
    public static async Task<IReadOnlyList<(string Name, string Text)>> ReadCrdFilesAsync(byte[] archive, CancellationToken cancellationToken)
    {
        var files = new List<(string, string)>();
        await using var gzip = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var parts = entry.Name.Replace('\\', '/').Split('/');
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || parts.Length != 3 || parts[1] != "crds"
                || Path.GetExtension(parts[2]) is not (".yaml" or ".yml" or ".json") || entry.DataStream is null)
            {
                continue;
            }

            if (entry.Length > MaxFileBytes)
            {
                throw new InvalidDataException($"crds/{parts[2]} in the chart is larger than {MaxFileBytes} bytes");
            }

            using var reader = new StreamReader(entry.DataStream, Encoding.UTF8);
            files.Add((parts[2], await reader.ReadToEndAsync(cancellationToken)));
        }

        return files.OrderBy(f => f.Item1, StringComparer.Ordinal).ToList();
    }
}
