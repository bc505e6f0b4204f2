using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Granary.Contracts.Sources;

namespace Granary.Grains.Releases;

/// <summary>A chart packed from a directory of a source artifact, with what its Chart.yaml says.</summary>
/// <param name="Archive">The packed chart (.tgz), deterministic for the same files.</param>
/// <param name="Name">The chart's name.</param>
/// <param name="Version">The chart's version.</param>
/// <param name="AppVersion">The chart's app version, if any.</param>
public sealed record PackedChart(byte[] Archive, string Name, string Version, string? AppVersion);

/// <summary>
/// Packs the chart at a path of a GitRepository artifact (as Flux's HelmChart does for a Git source) into a .tgz with the
/// chart's name as its root directory. Regular files only, a size cap, and fixed timestamps so equal files pack equally.
/// </summary>
public static class GitChartPackager
{
    /// <summary>The largest chart accepted (Flux's default).</summary>
    public const long MaxChartBytes = 10L * 1024 * 1024;

    /// <summary>Packs the chart under <paramref name="path"/> of <paramref name="artifact"/> (a source artifact .tar.gz).</summary>
    /// <exception cref="HelmChartException">The path leaves the artifact, has no Chart.yaml, or the chart is too large or invalid.</exception>
    public static async Task<PackedChart> PackAsync(byte[] artifact, string path, CancellationToken cancellationToken)
    {
        var prefix = path.Replace('\\', '/').Trim().TrimStart('.').Trim('/');
        if (prefix.Split('/').Contains(".."))
        {
            throw new HelmChartException("InvalidChartReference", $"spec.chart.spec.chart '{path}' leaves the source artifact; give a path inside it, e.g. ./charts/podinfo");
        }

        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        long total = 0;
        await using (var gzip = new GZipStream(new MemoryStream(artifact), CompressionMode.Decompress))
        using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync(copyData: true, cancellationToken) is { } entry)
            {
                var entryName = entry.Name.Replace('\\', '/').TrimStart('.', '/');
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null
                    || !(prefix.Length == 0 || entryName.StartsWith(prefix + "/", StringComparison.Ordinal)))
                {
                    continue;
                }

                total += entry.Length;
                if (total > MaxChartBytes)
                {
                    throw new HelmChartException("ChartPackageError", $"the chart at '{path}' is larger than {MaxChartBytes} bytes");
                }

                using var buffer = new MemoryStream();
                await entry.DataStream.CopyToAsync(buffer, cancellationToken);
                files[prefix.Length == 0 ? entryName : entryName[(prefix.Length + 1)..]] = buffer.ToArray();
            }
        }

        if (!files.TryGetValue("Chart.yaml", out var chartYaml))
        {
            throw new HelmChartException("ChartPackageError", $"'{path}' in the source artifact has no Chart.yaml; point spec.chart.spec.chart at a chart directory");
        }

        var (name, version, appVersion) = ChartArchive.ParseChartYaml(chartYaml, $"Chart.yaml at '{path}'");
        using var output = new MemoryStream();
        await using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (relative, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{name}/{relative}")
                {
                    ModificationTime = DateTimeOffset.UnixEpoch,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    DataStream = new MemoryStream(content),
                };
                await tar.WriteEntryAsync(entry, cancellationToken);
            }
        }

        return new PackedChart(output.ToArray(), name, version, appVersion);
    }
}
