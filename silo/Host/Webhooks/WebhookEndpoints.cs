using Granary.Contracts.Grains;
using Granary.Runtime.Calls;
using Granary.Silo.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Webhooks;

/// <summary>
/// <c>POST /hooks/{name}</c>, outside the bearer-token API: a delivery that proves it knows the receiver's secret and
/// carries a triggering event makes each of the receiver's sources fetch at once, recorded with the actor
/// <c>webhook:&lt;name&gt;</c> and the sender's delivery id as correlation id; the answer (202) lists the sources asked to fetch and does not wait for the fetches.
/// </summary>
public static class WebhookEndpoints
{
    /// <summary>The largest delivery accepted (GitHub push payloads with many commits run to a few MiB).</summary>
    public const int MaxBodyBytes = 5 * 1024 * 1024;

    /// <summary>Maps the receivers' endpoints onto <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app, IReadOnlyList<Receiver> receivers, IGrainFactory grains, ILogger logger)
    {
        var byName = receivers.ToDictionary(r => r.Name, StringComparer.Ordinal);
        if (receivers.Count > 0)
        {
            logger.LogInformation("Webhook receivers on POST /hooks/<name>: {Receivers}", string.Join("; ", receivers));
        }

        app.MapPost("/hooks/{name}", (HttpContext context, string name, CancellationToken cancellationToken) =>
            byName.TryGetValue(name, out var receiver)
                ? ReceiveAsync(context, receiver, grains, logger, cancellationToken)
                : Task.FromResult(ApiError.Result(StatusCodes.Status404NotFound, "NotFound", $"no webhook receiver named '{name}' is configured; add it to the silo's config file (receivers[].name)")));
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, Receiver receiver, IGrainFactory grains, ILogger logger, CancellationToken cancellationToken)
    {
        if (await ReadBodyAsync(context.Request, cancellationToken) is not { } body)
        {
            return ApiError.Result(StatusCodes.Status413PayloadTooLarge, "TooLarge", $"the delivery is larger than {MaxBodyBytes / 1024 / 1024} MiB");
        }

        if (DeliveryCheck.Rejection(receiver, context.Request, body) is { } rejection)
        {
            logger.LogWarning("Webhook receiver {Receiver}: rejected a delivery from {Remote}: {Rejection}", receiver.Name, context.Connection.RemoteIpAddress, rejection);
            return ApiError.Result(StatusCodes.Status401Unauthorized, "Unauthorized", $"the delivery to receiver '{receiver.Name}' does not prove it knows the receiver's secret");
        }

        var (@event, triggers) = DeliveryCheck.EventOf(receiver, context.Request);
        if (!triggers)
        {
            logger.LogInformation("Webhook receiver {Receiver}: {Event} event from {Remote} triggers nothing", receiver.Name, @event, context.Connection.RemoteIpAddress);
            return Results.Ok(new WebhookDelivery(receiver.Name, @event, [], [], $"'{@event}' events trigger nothing; {receiver.Type} receivers reconcile on {Triggering(receiver.Type)}"));
        }

        var triggered = new List<ReceiverResource>();
        var missing = new List<ReceiverResource>();
        using (GrainCallContext.Begin(DeliveryCheck.DeliveryId(context.Request), receiver.Actor))
        {
            foreach (var resource in receiver.Resources)
            {
                if (!await resource.ExistsAsync(grains))
                {
                    logger.LogWarning("Webhook receiver {Receiver}: {Resource} does not exist; apply it or remove it from receivers[].resources", receiver.Name, resource);
                    missing.Add(resource);
                    continue;
                }

                // Fetches can take longer than senders wait for an answer (GitHub gives up after 10 s): start them, answer, log failures.
                _ = ObserveAsync(resource.RequestReconcileAsync(grains), receiver, resource, logger);
                triggered.Add(resource);
            }
        }

        logger.LogInformation("Webhook receiver {Receiver}: {Event} event from {Remote} reconciles {Resources}", receiver.Name, @event, context.Connection.RemoteIpAddress, triggered.Count == 0 ? "nothing" : string.Join(", ", triggered));
        return Results.Json(new WebhookDelivery(receiver.Name, @event, triggered, missing), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        // Read with a budget: a body without Content-Length cannot make the silo buffer more than the limit.
        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }

    private static async Task ObserveAsync(Task reconcile, Receiver receiver, ReceiverResource resource, ILogger logger)
    {
        try
        {
            await reconcile;
        }
        catch (Exception exception)
        {
            logger.LogWarning("Webhook receiver {Receiver}: reconcile of {Resource} failed: {Message}", receiver.Name, resource, exception.Message);
        }
    }

    private static string Triggering(ReceiverType type) => type switch
    {
        ReceiverType.GitHub => "push",
        ReceiverType.GitLab => "Push Hook and Tag Push Hook",
        _ => "every delivery",
    };
}

/// <summary>The answer to a delivery.</summary>
/// <param name="Receiver">The receiver's name.</param>
/// <param name="Event">The event as the sender named it (<c>generic</c> for generic receivers).</param>
/// <param name="Triggered">The sources asked to fetch now.</param>
/// <param name="Missing">The receiver's sources that do not exist, so were not asked.</param>
/// <param name="Message">Why nothing was triggered, when nothing was.</param>
public sealed record WebhookDelivery(string Receiver, string Event, IReadOnlyList<ReceiverResource> Triggered, IReadOnlyList<ReceiverResource> Missing, string? Message = null);
