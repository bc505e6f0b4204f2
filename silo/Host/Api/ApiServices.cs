using Granary.Contracts.Grains;
using Granary.EventStore;
using Granary.Runtime;
using Granary.Runtime.Calls;
using Granary.Silo.Audit;
using Granary.Silo.ReadModel;
using Granary.Silo.Resources;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Api;

/// <summary>What the API's endpoints work with.</summary>
/// <param name="Grains">Calls the resource grains.</param>
/// <param name="Store">The event log, for reads (history, time travel, export, verification).</param>
/// <param name="Kinds">The resource kinds served.</param>
/// <param name="Table">The resource list read model.</param>
/// <param name="Projection">Keeps the list current (and refreshes rows after API writes).</param>
/// <param name="Trace">Finds who manages a cluster object.</param>
/// <param name="Logger">Logs API actions, naming the resource and actor.</param>
public sealed record ApiServices(IGrainFactory Grains, PostgresEventStore Store, ResourceKinds Kinds, ResourceTable Table, ResourceProjection Projection, ObjectTrace Trace, ILogger Logger)
{
    private const string CorrelationHeader = "X-Correlation-ID";

    /// <summary>Builds a resource's tree of source, dependencies, inventory and declared resources.</summary>
    public ResourceTree Tree { get; } = new(Store, Kinds);

    /// <summary>Answers what was deployed to a cluster in a time window.</summary>
    public ClusterDeployments Deployments { get; } = new(Store, Table, Kinds);

    /// <summary>
    /// Starts the grain call context of a request: the actor is the token's name, the correlation id the client's
    /// <c>X-Correlation-ID</c> (when it is a plain id) or a new one, echoed in the response.
    /// </summary>
    public static IDisposable Act(HttpContext context)
    {
        var supplied = context.Request.Headers[CorrelationHeader].ToString();
        var correlation = IsPlainId(supplied) ? supplied : Guid.CreateVersion7().ToString("N");
        context.Response.Headers[CorrelationHeader] = correlation;
        return GrainCallContext.Begin(correlation, TokenAuthorization.TokenOf(context).Name);
    }

    /// <summary>Whether a client-supplied id (a correlation id, a webhook delivery id) is safe to record and echo: short, letters, digits and <c>-_.:</c>.</summary>
    public static bool IsPlainId(string id) => id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    /// <summary>The response for a kind the silo does not serve.</summary>
    public IResult UnknownKind(string kind) =>
        ApiError.Result(StatusCodes.Status404NotFound, "UnknownKind", $"kind '{kind}' is not served by this silo; use one of {Kinds.Names}");

    /// <summary>The response for a resource with no events.</summary>
    public static IResult NotFound(ResourceKind kind, string key) =>
        ApiError.Result(StatusCodes.Status404NotFound, "NotFound", $"{kind.Kind} {key} does not exist; apply it first (POST /api/v1/resources)");

    /// <summary>The response for a grain call that failed, naming the resource and the action.</summary>
    public IResult Failed(Exception exception, ResourceKind kind, string key, string action)
    {
        Logger.LogWarning("{Kind} {Resource}: {Action} failed: {Message}", kind.Kind, key, action, exception.Message);
        var (status, reason, message) = ErrorFor(exception, $"{kind.Kind} {key}", action);
        var result = ApiError.Result(status, reason, message);
        return status == StatusCodes.Status503ServiceUnavailable ? new RetryAfter(result, RetryAfterSeconds) : result;
    }

    /// <summary>Seconds a client should wait before retrying a call refused with 503 (a silo leaving, a database restarting).</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>The status, reason and message the API answers for a failed grain call on <paramref name="resource"/>.</summary>
    public static (int Status, string Reason, string Message) ErrorFor(Exception exception, string resource, string action) => exception switch
    {
        GrainCallTimeoutException => (StatusCodes.Status504GatewayTimeout, "Timeout", $"{resource}: {action} did not finish in time; it may still complete — check its status and history"),
        GrainConflictException => (StatusCodes.Status409Conflict, "Conflict", $"{resource}: {action} raced with another write; retry"),
        DatabaseUnavailableException { OutcomeUnknown: true } => (StatusCodes.Status503ServiceUnavailable, "Unavailable", $"{resource}: {action} may have been applied before the database connection broke — check its status and history before retrying. {exception.Message}"),
        RetryableGrainException => (StatusCodes.Status503ServiceUnavailable, "Unavailable", $"{resource}: {action} was not applied; retry in a few seconds. {exception.Message}"),
        IOException => (StatusCodes.Status502BadGateway, "CallLost", $"{resource}: {action} lost its connection to the silo running it; it may have completed — check its status and history before retrying. {exception.Message}"),
        InvalidOperationException or ArgumentException => (StatusCodes.Status409Conflict, "Conflict", exception.Message),
        _ => (StatusCodes.Status500InternalServerError, "InternalError", $"{resource}: {action} failed: {exception.Message}"),
    };

    /// <summary>A response with a <c>Retry-After</c> header.</summary>
    private sealed class RetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
