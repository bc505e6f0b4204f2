using System.Globalization;
using System.Text.Json;
using Granary.EventStore;
using Granary.EventStore.Hashing;
using Granary.Silo.Audit;
using Granary.Silo.Configuration;
using Granary.Silo.Resources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Granary.Silo.Api;

/// <summary>
/// The audit questions as endpoints: a resource's history, its state at a time, its hash-chain check; who manages
/// a cluster object and from which commit; the global feed as NDJSON with a cursor; verification of every stream.
/// </summary>
public static class AuditEndpoints
{
    /// <summary>The most events one export page returns.</summary>
    public const int MaxExportPage = 10_000;

    /// <summary>The response header holding the cursor to continue an export from.</summary>
    public const string NextCursorHeader = "Granary-Next-Cursor";

    /// <summary>Maps the endpoints onto <paramref name="api"/>.</summary>
    public static void Map(RouteGroupBuilder api, ApiServices services, TokenAuthorization authorization, JsonSerializerOptions json)
    {
        var resources = api.MapGroup("/resources/{kind}/{namespace}/{name}").AddEndpointFilter(authorization.Require(ApiRole.Read));
        resources.MapGet("/history", (string kind, string @namespace, string name, bool? data, long? from, int? limit, CancellationToken cancellationToken) =>
            HistoryAsync(services, kind, $"{@namespace}/{name}", data == true, from ?? 1, limit ?? 1000, cancellationToken));
        resources.MapGet("/at", (string kind, string @namespace, string name, string? time, CancellationToken cancellationToken) =>
            AtAsync(services, kind, $"{@namespace}/{name}", time, cancellationToken));
        resources.MapGet("/verify", async (string kind, string @namespace, string name, CancellationToken cancellationToken) =>
            services.Kinds.Find(kind) is not { } resourceKind ? services.UnknownKind(kind)
            : Results.Ok(await services.Store.VerifyStreamAsync(resourceKind.StreamId($"{@namespace}/{name}"), cancellationToken)));

        var audit = api.MapGroup("/audit").AddEndpointFilter(authorization.Require(ApiRole.Read));
        audit.MapGet("/verify", async (CancellationToken cancellationToken) => Results.Ok(VerificationReport.Of(await services.Store.VerifyAllAsync(cancellationToken))));
        audit.MapGet("/trace", (string? cluster, string? apiVersion, string? kind, string? @namespace, string? name, CancellationToken cancellationToken) =>
            TraceAsync(services, cluster, apiVersion, kind, @namespace, name, cancellationToken));
        audit.MapGet("/deployed", (string? cluster, string? since, string? until, CancellationToken cancellationToken) =>
            DeployedAsync(services, cluster, since, until, cancellationToken));
        audit.MapGet("/events", (HttpContext context, string? after, int? limit, CancellationToken cancellationToken) =>
            ExportAsync(context, services, json, after, limit, cancellationToken));
    }

    private static async Task<IResult> HistoryAsync(ApiServices services, string kindName, string key, bool includeData, long from, int limit, CancellationToken cancellationToken)
    {
        if (services.Kinds.Find(kindName) is not { } kind)
        {
            return services.UnknownKind(kindName);
        }

        if (from < 1 || limit is < 1 or > MaxExportPage)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "BadRequest", from < 1
                ? $"from: {from} is not a stream version; versions start at 1"
                : $"limit: {limit} is out of range; use 1 to {MaxExportPage}");
        }

        // One more than asked tells whether there is a next page without a second query.
        var entries = new List<HistoryEntry>();
        await foreach (var recorded in services.Store.ReadStreamAsync(kind.StreamId(key), from, from + limit, cancellationToken))
        {
            entries.Add(HistoryEntry.Of(recorded, includeData));
        }

        if (entries.Count == 0 && from == 1)
        {
            return ApiServices.NotFound(kind, key);
        }

        long? next = entries.Count > limit ? entries[limit].Version : null;
        return Results.Ok(new History(kind.Kind, key, entries.Take(limit).ToList(), next));
    }

    private static async Task<IResult> AtAsync(ApiServices services, string kindName, string key, string? time, CancellationToken cancellationToken)
    {
        if (services.Kinds.Find(kindName) is not { } kind)
        {
            return services.UnknownKind(kindName);
        }

        if (time is null || !DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var asOf))
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "BadRequest", $"time: '{time}' is not an instant; give ?time= in ISO 8601, e.g. 2026-11-22T14:02:00Z");
        }

        return await kind.LoadAsOfAsync(services.Store, key, asOf, cancellationToken) is { } view
            ? Results.Ok(new StateAt(asOf, view))
            : ApiError.Result(StatusCodes.Status404NotFound, "NotFound", $"{kind.Kind} {key} had no events at {asOf:O}; it was created later or never (see its history)");
    }

    private static async Task<IResult> TraceAsync(ApiServices services, string? cluster, string? apiVersion, string? kind, string? @namespace, string? name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(name))
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "BadRequest",
                $"{(string.IsNullOrEmpty(apiVersion) ? "apiVersion" : string.IsNullOrEmpty(kind) ? "kind" : "name")}: required; trace with ?cluster=management&apiVersion=apps/v1&kind=Deployment&namespace=<ns>&name=<name> (namespace empty for cluster-scoped objects)");
        }

        var target = new ClusterObject(string.IsNullOrEmpty(cluster) ? KustomizationKind.ManagementCluster : cluster, apiVersion, kind, @namespace ?? string.Empty, name);
        return await services.Trace.TraceAsync(target, cancellationToken) is { } result
            ? Results.Ok(result)
            : ApiError.Result(StatusCodes.Status404NotFound, "NotFound",
                $"no resource's inventory holds {target.Kind} {(target.Namespace.Length > 0 ? $"{target.Namespace}/" : string.Empty)}{target.Name} ({target.ApiVersion}) in cluster {target.Cluster}; check the names, or it is not managed by Granary");
    }

    private static async Task<IResult> DeployedAsync(ApiServices services, string? cluster, string? since, string? until, CancellationToken cancellationToken)
    {
        if (!TryParseTime(since, out var from) || (until is not null && !TryParseTime(until, out _)))
        {
            var field = TryParseTime(since, out _) ? "until" : "since";
            return ApiError.Result(StatusCodes.Status400BadRequest, "BadRequest",
                $"{field}: '{(field == "since" ? since : until)}' is not an instant; give ?since= (required) and ?until= (default now) in ISO 8601, e.g. 2026-11-22T14:02:00Z");
        }

        var to = until is null ? DateTimeOffset.UtcNow : DateTimeOffset.Parse(until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        if (to <= from)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "BadRequest", $"until: {to:O} is not after since ({from:O}); the window is [since, until)");
        }

        var target = string.IsNullOrEmpty(cluster) ? KustomizationKind.ManagementCluster : cluster;
        return Results.Ok(new DeployedWindow(target, from, to, await services.Deployments.ListAsync(target, from, to, cancellationToken)));
    }

    private static bool TryParseTime(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time) && text is not null;

    private static async Task<IResult> ExportAsync(HttpContext context, ApiServices services, JsonSerializerOptions json, string? after, int? limit, CancellationToken cancellationToken)
    {
        GlobalPosition position;
        try
        {
            position = string.IsNullOrEmpty(after) ? GlobalPosition.Start : GlobalPosition.Parse(after);
        }
        catch (FormatException exception)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "BadRequest", $"after: {exception.Message}");
        }

        var count = limit ?? 1000;
        if (count is < 1 or > MaxExportPage)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "BadRequest", $"limit: {count} is out of range; use 1 to {MaxExportPage}");
        }

        var page = await services.Store.ReadAllAsync(position, count, cancellationToken);
        var next = page.Count > 0 ? page[^1].Position : position;
        context.Response.Headers[NextCursorHeader] = next.ToString();
        context.Response.ContentType = "application/x-ndjson";
        foreach (var recorded in page)
        {
            await JsonSerializer.SerializeAsync(context.Response.Body, FeedRecord.Of(recorded), json, cancellationToken);
            await context.Response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken);
        }

        return Results.Empty;
    }
}

/// <summary>A resource's timeline.</summary>
/// <param name="Kind">Its kind.</param>
/// <param name="Key">Its <c>namespace/name</c>.</param>
/// <param name="Items">Its events, oldest first.</param>
/// <param name="Next">The version to pass as <c>from</c> for the next page; null on the last page.</param>
public sealed record History(string Kind, string Key, IReadOnlyList<HistoryEntry> Items, long? Next = null);

/// <summary>What was deployed to a cluster in a time window.</summary>
/// <param name="Cluster">The cluster asked about.</param>
/// <param name="Since">The window's start (included).</param>
/// <param name="Until">The window's end (excluded).</param>
/// <param name="Items">The deployments, oldest first.</param>
public sealed record DeployedWindow(string Cluster, DateTimeOffset Since, DateTimeOffset Until, IReadOnlyList<Deployment> Items);

/// <summary>A resource as it was at a time.</summary>
/// <param name="AsOf">The instant asked about.</param>
/// <param name="Resource">The resource folded from its events up to that instant.</param>
public sealed record StateAt(DateTimeOffset AsOf, ResourceView Resource);

/// <summary>The result of checking every stream's hash chain.</summary>
/// <param name="Intact">Whether every stream holds.</param>
/// <param name="Streams">How many streams were checked.</param>
/// <param name="EventsVerified">How many events were checked and found intact.</param>
/// <param name="Broken">The streams whose chain breaks, with the first broken version and why.</param>
public sealed record VerificationReport(bool Intact, int Streams, long EventsVerified, IReadOnlyList<ChainVerification> Broken)
{
    /// <summary>The report of a set of stream checks.</summary>
    public static VerificationReport Of(IReadOnlyList<ChainVerification> results)
    {
        var broken = results.Where(r => !r.IsIntact).ToList();
        return new VerificationReport(broken.Count == 0, results.Count, results.Sum(r => r.EventsVerified), broken);
    }
}
