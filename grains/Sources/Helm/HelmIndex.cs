using System.Text;
using System.Text.Json.Nodes;
using Granary.Contracts.Sources;
using Granary.Grains.Resources;
using Granary.Grains.Versions;

namespace Granary.Grains.Sources.Helm;

/// <summary>One chart version listed in a repository index.</summary>
/// <param name="Name">The chart name.</param>
/// <param name="Version">The version.</param>
/// <param name="AppVersion">The app version, if given.</param>
/// <param name="Urls">Where the tarball is (relative to the repository or absolute).</param>
/// <param name="Digest">The tarball's sha256 in hex, if the index gives one.</param>
public sealed record HelmIndexEntry(string Name, SemVer Version, string? AppVersion, IReadOnlyList<string> Urls, string? Digest);

/// <summary>A Helm repository's <c>index.yaml</c>: chart names and their versions.</summary>
public sealed class HelmIndex
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<HelmIndexEntry>> _entries;

    private HelmIndex(IReadOnlyDictionary<string, IReadOnlyList<HelmIndexEntry>> entries) => _entries = entries;

    /// <summary>The chart names, sorted.</summary>
    public IEnumerable<string> Charts => _entries.Keys.Order(StringComparer.Ordinal);

    /// <summary>Parses an index; entries whose version is not SemVer are skipped, as Helm does.</summary>
    /// <exception cref="HelmChartException">The document is not an index.</exception>
    public static HelmIndex Parse(byte[] yaml, string repository)
    {
        JsonNode? document;
        try
        {
            document = YamlToJson.ParseDocuments(Encoding.UTF8.GetString(yaml)).FirstOrDefault();
        }
        catch (YamlFormatException exception)
        {
            throw new HelmChartException("IndexInvalid", $"the index of {repository} is not valid YAML ({exception.Message}); regenerate it with helm repo index");
        }

        if (document is not JsonObject root || root["entries"] is not JsonObject entries)
        {
            throw new HelmChartException("IndexInvalid", $"the index of {repository} has no entries; regenerate it with helm repo index");
        }

        var result = new Dictionary<string, IReadOnlyList<HelmIndexEntry>>(StringComparer.Ordinal);
        foreach (var (name, versions) in entries)
        {
            var list = new List<HelmIndexEntry>();
            foreach (var item in (versions as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (Text(item["version"]) is not { } text || !SemVer.TryParse(text, out var version))
                {
                    continue;
                }

                var urls = (item["urls"] as JsonArray)?.Select(Text).OfType<string>().ToList() ?? [];
                list.Add(new HelmIndexEntry(name, version, Text(item["appVersion"]), urls, Text(item["digest"])));
            }

            result[name] = list.OrderByDescending(e => e.Version).ToList();
        }

        return new HelmIndex(result);
    }

    /// <summary>The versions of <paramref name="chart"/>, newest first; null when the index does not list it.</summary>
    public IReadOnlyList<HelmIndexEntry>? Versions(string chart) => _entries.GetValueOrDefault(chart);

    private static string? Text(JsonNode? node) => node is JsonValue value ? value.ToString() : null;
}
