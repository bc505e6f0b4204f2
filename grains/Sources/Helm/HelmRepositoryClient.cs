using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Granary.Contracts.Sources;

namespace Granary.Grains.Sources.Helm;

/// <summary>Limits on what a Helm repository may send.</summary>
public sealed record HelmRepositoryLimits
{
    /// <summary>The largest index accepted (Flux's default is 50 MiB).</summary>
    public long MaxIndexBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>The largest chart accepted (Flux's default is 10 MiB).</summary>
    public long MaxChartBytes { get; init; } = 10L * 1024 * 1024;

    /// <summary>The largest OCI layer an OCIRepository accepts.</summary>
    public long MaxLayerBytes { get; init; } = 50L * 1024 * 1024;
}

/// <summary>
/// Talks HTTP to Helm repositories: the <c>index.yaml</c> of a classic repository, chart tarballs, and the OCI distribution
/// API (tag list, manifest, chart layer). Every request has a deadline and a size cap; credentials go only to the
/// repository's own host unless asked otherwise, and no message ever carries them (URLs are shown without user info).
/// </summary>
public sealed class HelmRepositoryClient(HttpClient http, HelmRepositoryLimits limits)
{
    /// <summary>The media type of a Helm chart layer in an OCI manifest.</summary>
    public const string ChartLayerMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    /// <summary>The media type of a Helm chart's config blob in an OCI manifest.</summary>
    public const string ChartConfigMediaType = "application/vnd.cncf.helm.config.v1+json";

    /// <summary>What requests may send and receive.</summary>
    public HelmRepositoryLimits Limits => limits;

    /// <summary>Downloads <c>index.yaml</c> below <paramref name="repositoryUrl"/>.</summary>
    public Task<byte[]> GetIndexAsync(string repositoryUrl, HelmRepositoryCredentials? credentials, TimeSpan timeout, CancellationToken cancellationToken) =>
        GetAsync(new Uri(WithSlash(repositoryUrl) + "index.yaml"), credentials, limits.MaxIndexBytes, timeout, null, cancellationToken);

    /// <summary>Downloads a chart tarball from <paramref name="chartUrl"/> (relative URLs resolve against the repository URL).</summary>
    public Task<byte[]> GetChartAsync(string repositoryUrl, string chartUrl, HelmRepositoryCredentials? credentials, bool passCredentials, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var baseUri = new Uri(WithSlash(repositoryUrl));
        var uri = new Uri(baseUri, chartUrl);
        var sameHost = uri.Host == baseUri.Host && uri.Port == baseUri.Port;
        return GetAsync(uri, sameHost || passCredentials ? credentials : null, limits.MaxChartBytes, timeout, null, cancellationToken);
    }

    /// <summary>The tags of <c>&lt;registry&gt;/&lt;path&gt;/&lt;chart&gt;</c> (OCI distribution <c>tags/list</c>).</summary>
    public async Task<IReadOnlyList<string>> GetTagsAsync(OciChartReference chart, HelmRepositoryCredentials? credentials, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var bytes = await GetAsync(chart.Api("tags/list"), credentials, limits.MaxIndexBytes, timeout, "application/json", cancellationToken);
        var document = ParseJson(bytes, chart.Display("tags/list"));
        return document["tags"] is JsonArray tags ? tags.Select(t => t?.GetValue<string>() ?? string.Empty).Where(t => t.Length > 0).ToList() : [];
    }

    /// <summary>Downloads the chart layer of <paramref name="tag"/> and its app version from the config blob; verifies both blobs' digests.</summary>
    public async Task<(byte[] Chart, string? AppVersion)> GetOciChartAsync(OciChartReference chart, string tag, HelmRepositoryCredentials? credentials, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var (manifest, _) = await GetOciManifestAsync(chart, tag, credentials, timeout, cancellationToken);
        var layer = (manifest["layers"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(l => l["mediaType"]?.GetValue<string>() == ChartLayerMediaType)
            ?? throw new HelmChartException("ChartPullError", $"{chart.Display($"manifests/{tag}")} has no layer of type {ChartLayerMediaType}; it is not a Helm chart (push it with helm push)");
        var bytes = await GetOciBlobAsync(chart, layer["digest"]?.GetValue<string>(), credentials, limits.MaxChartBytes, timeout, cancellationToken);
        string? appVersion = null;
        if (manifest["config"] is JsonObject { } config && config["mediaType"]?.GetValue<string>() == ChartConfigMediaType)
        {
            var configBytes = await GetOciBlobAsync(chart, config["digest"]?.GetValue<string>(), credentials, limits.MaxIndexBytes, timeout, cancellationToken);
            appVersion = ParseJson(configBytes, chart.Display("config"))["appVersion"]?.GetValue<string>();
        }

        return (bytes, appVersion);
    }

    /// <summary>
    /// The image manifest of <paramref name="reference"/> (a tag or a <c>sha256:</c> digest) and its digest; a manifest asked
    /// for by digest must have that digest.
    /// </summary>
    public async Task<(JsonObject Manifest, string Digest)> GetOciManifestAsync(OciChartReference artifact, string reference, HelmRepositoryCredentials? credentials,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var bytes = await GetAsync(artifact.Api($"manifests/{reference}"), credentials, limits.MaxIndexBytes, timeout,
            "application/vnd.oci.image.manifest.v1+json", cancellationToken);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && !reference.Equals(digest, StringComparison.OrdinalIgnoreCase))
        {
            throw new HelmChartException("DigestMismatch", $"{artifact.Display($"manifests/{reference}")} has digest {digest}; the registry served different content, refusing it");
        }

        return (ParseJson(bytes, artifact.Display($"manifests/{reference}")), digest);
    }

    /// <summary>Downloads the blob <paramref name="digest"/> (at most <paramref name="cap"/> bytes) and verifies its digest.</summary>
    public async Task<byte[]> GetOciBlobAsync(OciChartReference chart, string? digest, HelmRepositoryCredentials? credentials, long cap, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        if (digest is null || !digest.StartsWith("sha256:", StringComparison.Ordinal))
        {
            throw new HelmChartException("ChartPullError", $"{chart.Display("manifest")} names a blob without a sha256 digest; re-push the artifact");
        }

        var bytes = await GetAsync(chart.Api($"blobs/{digest}"), credentials, cap, timeout, null, cancellationToken);
        var actual = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        return actual == digest
            ? bytes
            : throw new HelmChartException("DigestMismatch", $"blob {digest} of {chart.Display("")} has digest {actual}; the registry served different content, refusing it");
    }

    /// <summary>One GET with a deadline, a size cap and optional credentials; a Bearer challenge (OCI registries) is answered once.</summary>
    private async Task<byte[]> GetAsync(Uri uri, HelmRepositoryCredentials? credentials, long cap, TimeSpan timeout, string? accept, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var shown = Redacted(uri);
        try
        {
            using var response = await SendAsync(uri, credentials?.Header, accept, deadline.Token);
            if (response.StatusCode == HttpStatusCode.Unauthorized
                && response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) is { } challenge)
            {
                var token = await TokenAsync(challenge, credentials, timeout, deadline.Token);
                using var retried = await SendAsync(uri, new AuthenticationHeaderValue("Bearer", token), accept, deadline.Token);
                return await ReadAsync(retried, shown, cap, credentials is not null, deadline.Token);
            }

            return await ReadAsync(response, shown, cap, credentials is not null, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HelmChartException("RepositoryUnreachable", $"GET {shown} did not answer within {timeout.TotalSeconds:0.#} s; check the URL or raise spec.timeout");
        }
        catch (HttpRequestException exception)
        {
            throw new HelmChartException("RepositoryUnreachable", $"GET {shown} failed: {exception.Message}; check the URL and that the repository is reachable");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, AuthenticationHeaderValue? authorization, string? accept, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = authorization;
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private async Task<string> TokenAsync(AuthenticationHeaderValue challenge, HelmRepositoryCredentials? credentials, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var parameters = (challenge.Parameter ?? string.Empty).Split(',')
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim().Trim('"'), StringComparer.OrdinalIgnoreCase);
        if (!parameters.TryGetValue("realm", out var realm))
        {
            throw new HelmChartException("AuthenticationFailed", "the registry asked for a Bearer token without naming a realm; check the registry URL");
        }

        var query = string.Join('&', new[] { "service", "scope" }.Where(parameters.ContainsKey).Select(k => $"{k}={Uri.EscapeDataString(parameters[k])}"));
        var tokenUri = new Uri(query.Length == 0 ? realm : $"{realm}?{query}");
        using var response = await SendAsync(tokenUri, credentials?.Header, "application/json", cancellationToken);
        var body = ParseJson(await ReadAsync(response, Redacted(tokenUri), 1024 * 1024, credentials is not null, cancellationToken), Redacted(tokenUri));
        return (body["token"] ?? body["access_token"])?.GetValue<string>()
            ?? throw new HelmChartException("AuthenticationFailed", $"the token service {Redacted(tokenUri)} answered without a token");
    }

    private static async Task<byte[]> ReadAsync(HttpResponseMessage response, string shown, long cap, bool hadCredentials, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new HelmChartException("AuthenticationFailed", hadCredentials
                ? $"GET {shown} refused the credentials of spec.secretRef ({(int)response.StatusCode}); check username and password in the Secret"
                : $"GET {shown} needs credentials ({(int)response.StatusCode}); set spec.secretRef to a Secret with username and password");
        }

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new HelmChartException("NotFound", $"GET {shown} answered 404 Not Found; check the URL");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HelmChartException("RepositoryUnreachable", $"GET {shown} answered {(int)response.StatusCode} {response.ReasonPhrase}; check the repository");
        }

        if (response.Content.Headers.ContentLength > cap)
        {
            throw new HelmChartException("SizeLimitExceeded", $"GET {shown} is {response.Content.Headers.ContentLength} bytes, over the limit of {cap}; refusing it");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > cap)
            {
                throw new HelmChartException("SizeLimitExceeded", $"GET {shown} sent more than {cap} bytes; refusing it");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static JsonObject ParseJson(byte[] bytes, string what)
    {
        try
        {
            return JsonNode.Parse(bytes) as JsonObject ?? throw new HelmChartException("ChartPullError", $"{what} is not a JSON object");
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw new HelmChartException("ChartPullError", $"{what} is not valid JSON: {exception.Message}");
        }
    }

    /// <summary>The URL as shown in messages: without user info, query or fragment.</summary>
    public static string Redacted(Uri uri) => new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty }.Uri.ToString();

    /// <summary>The URL as shown in messages (see <see cref="Redacted(Uri)"/>); unparsable text is shown as its scheme only.</summary>
    public static string Redacted(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Redacted(uri) : "(an invalid URL)";

    private static string WithSlash(string url) => url.EndsWith('/') ? url : url + "/";
}
