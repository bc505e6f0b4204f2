using System.Text.Json.Nodes;
using Granary.Grains.Resources;

namespace Granary.Grains.Releases;

/// <summary>The CustomResourceDefinitions in a chart's <c>crds/</c> directory: plain YAML, never templated, as Helm reads them.</summary>
public static class ChartCrds
{
    /// <summary>The CRDs of the packaged chart <paramref name="archive"/>, in file order.</summary>
    /// <exception cref="HelmRenderException">A file is not valid YAML or holds something other than a CRD.</exception>
    public static async Task<IReadOnlyList<JsonObject>> ReadAsync(byte[] archive, CancellationToken cancellationToken)
    {
        var crds = new List<JsonObject>();
        foreach (var (name, text) in await ChartArchive.ReadCrdFilesAsync(archive, cancellationToken))
        {
            IReadOnlyList<JsonNode?> documents;
            try
            {
                documents = YamlToJson.ParseDocuments(text);
            }
            catch (YamlFormatException exception)
            {
                throw new HelmRenderException($"crds/{name} is not valid YAML: {exception.Message}; fix the chart");
            }

            foreach (var document in documents.OfType<JsonObject>())
            {
                if (document["kind"]?.GetValue<string>() != "CustomResourceDefinition")
                {
                    throw new HelmRenderException($"crds/{name} holds a {document["kind"]?.ToString() ?? "document without kind"}; only CustomResourceDefinitions belong in crds/ (move it to templates/)");
                }

                crds.Add(document);
            }
        }

        return crds;
    }
}
