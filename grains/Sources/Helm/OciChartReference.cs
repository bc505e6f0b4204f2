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

    /// <summary>The repository <paramref name="url"/> itself (an OCIRepository's <c>spec.url</c>, <c>oci://host[:port]/path</c>).</summary>
    public static OciChartReference OfRepository(string url, bool insecure)
    {
        if (!url.StartsWith("oci://", StringComparison.Ordinal) || !Uri.TryCreate("https://" + url["oci://".Length..], UriKind.Absolute, out var uri)
            || uri.AbsolutePath.Trim('/').Length == 0 || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || url.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException("spec.url must be oci://<registry>/<repository> without credentials, tag or digest, e.g. oci://ghcr.io/stefanprodan/charts/podinfo (put the tag in spec.ref.tag)");
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"spec.url '{url}' names a tag; remove it and set spec.ref.tag instead");
        }

        return new OciChartReference(insecure ? "http" : "https", uri.Authority, path);
    }

    /// <summary>A distribution API URL, e.g. <c>tags/list</c> or <c>manifests/1.0.0</c>.</summary>
    public Uri Api(string rest) => new($"{Scheme}://{Authority}/v2/{Repository}/{rest}");

    /// <summary>How this chart is named in messages.</summary>
    public string Display(string rest) => $"oci://{Authority}/{Repository}{(rest.Length == 0 ? string.Empty : " (" + rest + ")")}";
}
