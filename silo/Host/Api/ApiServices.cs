using Granary.Contracts.Grains;
using Granary.EventStore;
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
        return exception switch
        {
            GrainCallTimeoutException => ApiError.Result(StatusCodes.Status504GatewayTimeout, "Timeout", $"{kind.Kind} {key}: {action} did not finish in time; it may still complete — check its status and history"),
            GrainConflictException => ApiError.Result(StatusCodes.Status409Conflict, "Conflict", $"{kind.Kind} {key}: {action} raced with another write; retry"),
            InvalidOperationException or ArgumentException => ApiError.Result(StatusCodes.Status409Conflict, "Conflict", exception.Message),
            _ => ApiError.Result(StatusCodes.Status500InternalServerError, "InternalError", $"{kind.Kind} {key}: {action} failed: {exception.Message}"),
        };
    }
}
