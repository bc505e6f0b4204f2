namespace Granary.Grains.Sources.Helm;

/// <summary>A chart in an OCI registry: <c>oci://host[:port]/path</c> plus the chart name, reached over https (http when insecure).</summary>
public sealed record OciChartReference(string Scheme, string Authority, string Repository)
{
    /// <summary>The chart <paramref name="chart"/> under the HelmRepository URL <paramref name="url"/>.</summary>
    public static OciChartReference Of(string url, string chart, bool insecure)
    {
        if (!url.StartsWith("oci://", StringComparison.Ordinal) || !Uri.TryCreate("https://" + url["oci://".Length..], UriKind.Absolute, out var uri))
        {
            throw new ArgumentException("spec.url must be oci://<registry>/<path> for type oci, e.g. oci://ghcr.io/stefanprodan/charts");
        }

        var path = uri.AbsolutePath.Trim('/');
        return new OciChartReference(insecure ? "http" : "https", uri.Authority, path.Length == 0 ? chart : $"{path}/{chart}");
    }

    /// <summary>A distribution API URL, e.g. <c>tags/list</c> or <c>manifests/1.0.0</c>.</summary>
    public Uri Api(string rest) => new($"{Scheme}://{Authority}/v2/{Repository}/{rest}");

    /// <summary>How this chart is named in messages.</summary>
    public string Display(string rest) => $"oci://{Authority}/{Repository}{(rest.Length == 0 ? string.Empty : " (" + rest + ")")}";
}
