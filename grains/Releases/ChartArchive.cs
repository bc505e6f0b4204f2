using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Contracts.Sources;
using Granary.Grains.Resources;
using Granary.Grains.Versions;

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

    /// <summary>The name, version and app version of a packaged chart, from its Chart.yaml; <paramref name="where"/> names the chart in errors.</summary>
    /// <exception cref="HelmChartException">The archive is not a chart, or its Chart.yaml lacks a valid name or SemVer version.</exception>
    public static async Task<(string Name, string Version, string? AppVersion)> ReadMetadataAsync(byte[] archive, string where, CancellationToken cancellationToken)
    {
        string? text;
        try
        {
            text = await ReadFileAsync(archive, "Chart.yaml", cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException)
        {
            throw new HelmChartException("ChartPackageError", $"{where} is not a packaged chart (a gzipped tar): {exception.Message}");
        }

        return text is null
            ? throw new HelmChartException("ChartPackageError", $"{where} has no Chart.yaml; it is not a Helm chart")
            : ParseChartYaml(Encoding.UTF8.GetBytes(text), $"Chart.yaml of {where}");
    }

    /// <summary>The name, version and app version a Chart.yaml declares; <paramref name="where"/> names the file in errors.</summary>
    /// <exception cref="HelmChartException">Not YAML, no valid name, or a version that is not SemVer.</exception>
    public static (string Name, string Version, string? AppVersion) ParseChartYaml(byte[] bytes, string where)
    {
        JsonObject? chart;
        try
        {
            chart = YamlToJson.ParseDocuments(Encoding.UTF8.GetString(bytes)).FirstOrDefault() as JsonObject;
        }
        catch (YamlFormatException exception)
        {
            throw new HelmChartException("ChartPackageError", $"{where} is not valid YAML: {exception.Message}");
        }

        var name = (chart?["name"] as JsonValue)?.ToString();
        var version = (chart?["version"] as JsonValue)?.ToString();
        if (string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal))
        {
            throw new HelmChartException("ChartPackageError", $"{where} has no valid name; add name: <chart>");
        }

        if (version is null || !SemVer.TryParse(version, out _))
        {
            throw new HelmChartException("ChartPackageError", $"{where} has version '{version}', which is not SemVer; write e.g. version: 0.1.0");
        }

        return (name, version, (chart?["appVersion"] as JsonValue)?.ToString());
    }
}
