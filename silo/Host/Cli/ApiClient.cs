using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Silo.Configuration;

namespace Granary.Silo.Cli;

/// <summary>
/// The client verbs' view of the HTTP API under <c>/api/v1</c>: sends the bearer token, and turns an unreachable
/// server, 401, 403, 404 and every other error body (<c>{reason, message, errors?}</c>) into a <see cref="CliFailure"/>
/// whose message says what to do. The token is never part of a message.
/// </summary>
public sealed class ApiClient(HttpClient http, Uri server, bool hasToken, Spinner? spinner = null) : IDisposable
{
    /// <summary>The server the client talks to.</summary>
    public Uri Server { get; } = server;

    /// <summary>A client for <paramref name="server"/> with <paramref name="token"/> (none when null); slow requests spin <paramref name="spinner"/>.</summary>
    public static ApiClient Create(Uri server, string? token, Spinner? spinner = null)
    {
        var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(100) };
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return new ApiClient(http, server, !string.IsNullOrEmpty(token), spinner);
    }

    /// <summary>GETs JSON from <paramref name="path"/> (relative to <c>/api/v1</c>), which needs <paramref name="role"/>.</summary>
    public async Task<JsonNode> GetJsonAsync(string path, CancellationToken cancellationToken, ApiRole role = ApiRole.Read) =>
        (await SendAsync(HttpMethod.Get, path, null, role, cancellationToken)).Body;

    /// <summary>POSTs to <paramref name="path"/> (an admin change) and returns the JSON answer.</summary>
    public async Task<JsonNode> PostAsync(string path, HttpContent? content, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, path, content, ApiRole.Admin, cancellationToken)).Body;

    /// <summary>DELETEs <paramref name="path"/> (an admin change) and returns the JSON answer.</summary>
    public async Task<JsonNode> DeleteAsync(string path, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Delete, path, null, ApiRole.Admin, cancellationToken)).Body;

    /// <summary>GETs a page of the NDJSON feed: its lines and the cursor to continue from.</summary>
    public async Task<(IReadOnlyList<string> Lines, string? NextCursor)> GetFeedAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, path, null, ApiRole.Read, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var cursor = response.Headers.TryGetValues(Api.AuditEndpoints.NextCursorHeader, out var values) ? values.FirstOrDefault() : null;
        return (lines, cursor);
    }

    /// <summary>Sends a request and parses the JSON answer; a 422 is thrown as <see cref="ApiRejection"/> with the body.</summary>
    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpMethod method, string path, HttpContent? content, ApiRole role, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, role, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text)!);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, ApiRole role, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        var url = new Uri(Server, "/api/v1/" + path.TrimStart('/'));
        try
        {
            using var request = new HttpRequestMessage(method, url) { Content = content };
            var sending = http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            response = spinner is null ? await sending : await spinner.WhileAsync($"waiting for {Server.Authority}: {method} {url.AbsolutePath}", sending);
        }
        catch (HttpRequestException exception)
        {
            throw new CliFailure(
                $"cannot reach the Granary API at {Server}: {exception.Message}. Start a silo with `make run` (or `granary run`), " +
                "or point --server / GRANARY_SERVER at a running one.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliFailure($"the Granary API at {Server} did not answer {method} {url.AbsolutePath} in time; check that the silo is healthy ({Server}healthz).");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var error = ApiErrorBody.Parse(text);
            var needed = role.ToString().ToLowerInvariant();
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new CliFailure(hasToken
                    ? $"{Server} refused the token (401 Unauthorized): it is not one of the silo's tokens. Set --token or GRANARY_TOKEN to a token from the silo's config with role {needed}."
                    : $"{Server} needs a token (401 Unauthorized): set --token or GRANARY_TOKEN to a token from the silo's config with role {needed}."),
                HttpStatusCode.Forbidden => new CliFailure(
                    $"forbidden (403): {error.Message}. {method} {url.AbsolutePath} needs a token with role {needed}; set --token or GRANARY_TOKEN to one."),
                HttpStatusCode.NotFound => new CliFailure($"not found (404): {error.Message}"),
                HttpStatusCode.UnprocessableEntity => new ApiRejection(error),
                _ => new CliFailure($"{(int)response.StatusCode} {error.Reason}: {error.Message}"),
            };
        }
    }

    /// <inheritdoc/>
    public void Dispose() => http.Dispose();
}

/// <summary>An API error body: <c>{reason, message, errors?}</c>, or the raw text when it is not one.</summary>
/// <param name="Reason">The reason code.</param>
/// <param name="Message">The message.</param>
/// <param name="Errors">Per-document errors of an apply.</param>
public sealed record ApiErrorBody(string Reason, string Message, JsonArray? Errors)
{
    /// <summary>Reads an error body.</summary>
    public static ApiErrorBody Parse(string text)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject body)
            {
                return new ApiErrorBody(body["reason"]?.GetValue<string>() ?? "Error", body["message"]?.GetValue<string>() ?? text, body["errors"] as JsonArray);
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return new ApiErrorBody("Error", text.Length > 0 ? text : "(no body)", null);
    }
}

/// <summary>A 422: the request was understood but refused; the body lists why.</summary>
public sealed class ApiRejection(ApiErrorBody error) : Exception(error.Message)
{
    /// <summary>The error body.</summary>
    public ApiErrorBody Error { get; } = error;
}

/// <summary>Request bodies the verbs send.</summary>
public static class ApiContent
{
    /// <summary>A YAML body.</summary>
    public static HttpContent Yaml(string yaml) => new StringContent(yaml, Encoding.UTF8, "application/yaml");
}
