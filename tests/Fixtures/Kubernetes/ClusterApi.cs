using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Testing.Kubernetes;

/// <summary>
/// Just enough of the Kubernetes REST API for fixtures and tests to arrange and inspect cluster objects: JSON in, JSON
/// out, over a plain <see cref="HttpClient"/>. Not a client library; the product's own client is what tests exercise.
/// </summary>
public sealed class ClusterApi : IDisposable
{
    /// <summary>The content type of a JSON merge patch (RFC 7386).</summary>
    public const string MergePatch = "application/merge-patch+json";

    /// <summary>Wraps <paramref name="http"/>, whose base address and credentials are already set.</summary>
    public ClusterApi(HttpClient http) => Http = http;

    /// <summary>The underlying client, for requests this class does not cover.</summary>
    public HttpClient Http { get; }

    /// <summary>GETs <paramref name="path"/>; null when the object does not exist.</summary>
    public async Task<JsonObject?> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await Http.GetAsync(path, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync(response, "GET", path, cancellationToken);
    }

    /// <summary>POSTs <paramref name="body"/> to the collection at <paramref name="path"/> and returns the created object.</summary>
    public async Task<JsonObject> CreateAsync(string path, JsonObject body, CancellationToken cancellationToken = default)
    {
        using var response = await Http.PostAsync(path, Json(body), cancellationToken);
        return await ReadAsync(response, "POST", path, cancellationToken);
    }

    /// <summary>PATCHes the object at <paramref name="path"/> (a JSON merge patch unless told otherwise).</summary>
    public async Task<JsonObject> PatchAsync(string path, JsonObject patch, string contentType = MergePatch, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(patch.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await Http.PatchAsync(path, content, cancellationToken);
        return await ReadAsync(response, "PATCH", path, cancellationToken);
    }

    /// <summary>DELETEs the object at <paramref name="path"/>, optionally with DeleteOptions; an absent object is not an error.</summary>
    public async Task DeleteAsync(string path, JsonObject? options = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, path);
        if (options is not null)
        {
            request.Content = Json(options);
        }

        using var response = await Http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await ReadAsync(response, "DELETE", path, cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Http.Dispose();

    /// <summary>Serializes <paramref name="body"/> as application/json content.</summary>
    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, string method, string path, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new KubernetesApiException(response.StatusCode, $"{method} {path} returned {(int)response.StatusCode} {response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text) as JsonObject
            ?? throw new KubernetesApiException(response.StatusCode, $"{method} {path} returned {text.Length} characters that are not a JSON object.");
    }
}
