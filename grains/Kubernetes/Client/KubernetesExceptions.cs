using System.Net;
using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Client;

/// <summary>Anything that went wrong talking to a cluster; the message names the object or request and how to fix it.</summary>
public class KubernetesException(string message, ObjectReference? obj = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The object the request was about, when there was one.</summary>
    public ObjectReference? Object { get; } = obj;
}

/// <summary>The API server answered with a <c>Status</c> failure; <see cref="ServerMessage"/> keeps its own words.</summary>
public class KubernetesStatusException(string message, HttpStatusCode statusCode, string reason, string serverMessage, ObjectReference? obj,
    IReadOnlyList<StatusCause>? causes = null) : KubernetesException(message, obj)
{
    /// <summary>The HTTP status code.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The Status reason (<c>NotFound</c>, <c>Invalid</c>, ...), or the HTTP reason when the body was not a Status.</summary>
    public string Reason { get; } = reason;

    /// <summary>The server's message, unchanged.</summary>
    public string ServerMessage { get; } = serverMessage;

    /// <summary>The field-level causes in the Status details (Invalid, Conflict).</summary>
    public IReadOnlyList<StatusCause> Causes { get; } = causes ?? [];

    /// <summary>Maps a failed response to the most specific exception type.</summary>
    internal static KubernetesStatusException From(HttpStatusCode code, string body, string request, ObjectReference? obj, string source, TimeSpan? retryAfter, int attempts)
    {
        JsonObject? status = null;
        try
        {
            status = JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        var isStatus = ObjectMetadata.String(status?["kind"]) == "Status";
        var reason = (isStatus ? ObjectMetadata.String(status!["reason"]) : null) ?? code.ToString();
        var serverMessage = (isStatus ? ObjectMetadata.String(status!["message"]) : null) ?? Shorten(body);
        var causes = (status?["details"]?["causes"] as JsonArray)?.OfType<JsonObject>()
            .Select(c => new StatusCause(ObjectMetadata.String(c["field"]), ObjectMetadata.String(c["message"]) ?? "", ObjectMetadata.String(c["reason"]) ?? ""))
            .ToList() ?? [];
        var what = obj?.ToString() ?? request;
        switch (code)
        {
            case HttpStatusCode.NotFound:
                return new NotFoundException($"{what} was not found: {serverMessage}", reason, serverMessage, obj);
            case HttpStatusCode.Conflict when reason == "AlreadyExists":
                return new AlreadyExistsException($"{what} already exists: {serverMessage}", reason, serverMessage, obj);
            case HttpStatusCode.Conflict:
                var fields = causes.Count > 0 ? $" (fields: {string.Join(", ", causes.Select(c => c.Field ?? c.Message))})" : "";
                return new ConflictException(
                    $"{what} conflicts{fields}: {serverMessage}. Another field manager owns these fields; apply with force to take them over, or retry after a concurrent update.",
                    reason, serverMessage, obj, causes);
            case HttpStatusCode.UnprocessableEntity:
                return new InvalidException($"{what} is invalid: {serverMessage}", reason, serverMessage, obj, causes);
            case HttpStatusCode.Forbidden:
                return new ForbiddenException(
                    $"{request} was forbidden: {serverMessage}. Grant the user of {source} the needed RBAC rights (a Role or ClusterRole binding), or impersonate an account that has them.",
                    reason, serverMessage, obj);
            case HttpStatusCode.Unauthorized:
                return new UnauthorizedException(
                    $"The API server rejected the credentials of {source} ({request}): {serverMessage}. Renew the token or client certificate.",
                    reason, serverMessage, obj);
            case HttpStatusCode.TooManyRequests:
                return new TooManyRequestsException(
                    $"{request} was throttled by the API server (429) {attempts} times{(retryAfter is { } after ? $", last asking to retry after {after.TotalSeconds:0.#} s" : "")}: {serverMessage}. Lower the client's QPS or concurrency, or retry later.",
                    reason, serverMessage, obj, retryAfter);
            case HttpStatusCode.GatewayTimeout:
            case HttpStatusCode.InternalServerError when reason is "ServerTimeout" or "Timeout":
                return new ServerTimeoutException($"{request} timed out on the API server after {attempts} attempt(s): {serverMessage}", code, reason, serverMessage, obj);
            default:
                return new KubernetesStatusException($"{request} failed with {(int)code} {reason}: {serverMessage}", code, reason, serverMessage, obj, causes);
        }
    }

    private static string Shorten(string body) => body.Length > 300 ? body[..300] + "..." : body;
}

/// <summary>One field-level cause of a failed request, as the Status details list it.</summary>
public sealed record StatusCause(string? Field, string Message, string Reason);

/// <summary>404: the object (or its kind) does not exist.</summary>
public sealed class NotFoundException(string message, string reason, string serverMessage, ObjectReference? obj)
    : KubernetesStatusException(message, HttpStatusCode.NotFound, reason, serverMessage, obj);

/// <summary>409 AlreadyExists: a create found the object already there.</summary>
public sealed class AlreadyExistsException(string message, string reason, string serverMessage, ObjectReference? obj)
    : KubernetesStatusException(message, HttpStatusCode.Conflict, reason, serverMessage, obj);

/// <summary>409 Conflict: a stale resourceVersion, or fields another field manager owns (apply without force).</summary>
public sealed class ConflictException(string message, string reason, string serverMessage, ObjectReference? obj, IReadOnlyList<StatusCause> causes)
    : KubernetesStatusException(message, HttpStatusCode.Conflict, reason, serverMessage, obj, causes);

/// <summary>422 Invalid: validation failed; <see cref="KubernetesStatusException.Causes"/> names the fields.</summary>
public sealed class InvalidException(string message, string reason, string serverMessage, ObjectReference? obj, IReadOnlyList<StatusCause> causes)
    : KubernetesStatusException(message, HttpStatusCode.UnprocessableEntity, reason, serverMessage, obj, causes)
{
    /// <summary>Whether the server refused to change an immutable field (recreating the object is the only way).</summary>
    public bool IsImmutableFieldChange =>
        ServerMessage.Contains("field is immutable", StringComparison.OrdinalIgnoreCase)
        || ServerMessage.Contains("may not change once set", StringComparison.OrdinalIgnoreCase)
        || ServerMessage.Contains("cannot change", StringComparison.OrdinalIgnoreCase)
        || Causes.Any(c => c.Message.Contains("immutable", StringComparison.OrdinalIgnoreCase));

    /// <summary>The fields the causes name, joined for messages.</summary>
    public string FieldNames => Causes.Count > 0 ? string.Join(", ", Causes.Select(c => c.Field).OfType<string>().Distinct()) : "unknown field";
}

/// <summary>403: RBAC (or admission) denied the request.</summary>
public sealed class ForbiddenException(string message, string reason, string serverMessage, ObjectReference? obj)
    : KubernetesStatusException(message, HttpStatusCode.Forbidden, reason, serverMessage, obj);

/// <summary>401: the credentials were not accepted.</summary>
public sealed class UnauthorizedException(string message, string reason, string serverMessage, ObjectReference? obj)
    : KubernetesStatusException(message, HttpStatusCode.Unauthorized, reason, serverMessage, obj);

/// <summary>429: still throttled after the client's retries, each honouring Retry-After.</summary>
public sealed class TooManyRequestsException(string message, string reason, string serverMessage, ObjectReference? obj, TimeSpan? retryAfter)
    : KubernetesStatusException(message, HttpStatusCode.TooManyRequests, reason, serverMessage, obj)
{
    /// <summary>How long the server last asked us to wait.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The server gave up on the request (504, or 500 with reason ServerTimeout).</summary>
public sealed class ServerTimeoutException(string message, HttpStatusCode code, string reason, string serverMessage, ObjectReference? obj)
    : KubernetesStatusException(message, code, reason, serverMessage, obj);

/// <summary>The API server could not be reached at all (refused, reset, TLS failure, no answer in time).</summary>
public sealed class ClusterUnreachableException(string message, Exception? inner = null) : KubernetesException(message, null, inner);

/// <summary>Discovery does not know a kind: its CRD is not installed (yet) or the API version is not served.</summary>
public sealed class UnknownKindException(string message, ObjectReference? obj = null) : KubernetesException(message, obj);
