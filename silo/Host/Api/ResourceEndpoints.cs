using Granary.Contracts.Resources;
using Granary.Grains.Resources;
using Granary.Silo.Configuration;
using Granary.Silo.Resources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Api;

/// <summary>
/// <c>/api/v1/resources</c>: apply multi-document YAML (all or nothing when invalid), list with filters, get with
/// status, delete, reconcile, suspend and resume. Changes are recorded with the token's name as the actor.
/// </summary>
public static class ResourceEndpoints
{
    /// <summary>The largest YAML body accepted by apply.</summary>
    public const int MaxApplyBytes = 4 * 1024 * 1024;

    /// <summary>Maps the endpoints onto <paramref name="api"/>.</summary>
    public static void Map(RouteGroupBuilder api, ApiServices services, TokenAuthorization authorization)
    {
        var read = api.MapGroup("/resources").AddEndpointFilter(authorization.Require(ApiRole.Read));
        var admin = api.MapGroup("/resources").AddEndpointFilter(authorization.Require(ApiRole.Admin));

        admin.MapPost("", (HttpContext context, string? source, CancellationToken cancellationToken) => ApplyAsync(context, source, services, cancellationToken));
        read.MapGet("", (string? kind, string? @namespace, string? ready, CancellationToken cancellationToken) => ListAsync(kind, @namespace, ready, services, cancellationToken));
        read.MapGet("/{kind}/{namespace}/{name}", async (string kind, string @namespace, string name, CancellationToken cancellationToken) =>
            services.Kinds.Find(kind) is not { } resourceKind ? services.UnknownKind(kind)
            : await resourceKind.LoadAsync(services.Store, $"{@namespace}/{name}", cancellationToken) is { Status.Exists: true } view ? Results.Ok(view)
            : ApiServices.NotFound(resourceKind, $"{@namespace}/{name}"));
        read.MapGet("/{kind}/{namespace}/{name}/tree", async (string kind, string @namespace, string name, CancellationToken cancellationToken) =>
            services.Kinds.Find(kind) is not { } resourceKind ? services.UnknownKind(kind)
            : await services.Tree.BuildAsync(resourceKind, $"{@namespace}/{name}", cancellationToken) is { } tree ? Results.Ok(tree)
            : ApiServices.NotFound(resourceKind, $"{@namespace}/{name}"));

        // Admin, not read: the dry run is a patch request (dryRun=All) made with the silo's own cluster identity, and it shows
        // live cluster values the event log never recorded (drift) — Flux's diff likewise needs credentials allowed to patch.
        admin.MapGet("/{kind}/{namespace}/{name}/diff", (string kind, string @namespace, string name, CancellationToken cancellationToken) =>
            DiffAsync(services, kind, $"{@namespace}/{name}", cancellationToken));
        admin.MapDelete("/{kind}/{namespace}/{name}", (HttpContext context, string kind, string @namespace, string name, CancellationToken cancellationToken) =>
            ActAsync(context, services, kind, $"{@namespace}/{name}", "delete", (k, key) => k.DeleteAsync(services.Grains, key), cancellationToken));
        admin.MapPost("/{kind}/{namespace}/{name}/reconcile", (HttpContext context, string kind, string @namespace, string name, bool? withSource, CancellationToken cancellationToken) =>
            ActAsync(context, services, kind, $"{@namespace}/{name}", withSource == true ? "reconcile with source" : "reconcile", (k, key) => k.ReconcileAsync(services.Grains, key, withSource == true), cancellationToken));
        admin.MapPost("/{kind}/{namespace}/{name}/suspend", (HttpContext context, string kind, string @namespace, string name, string? reason, CancellationToken cancellationToken) =>
            ActAsync(context, services, kind, $"{@namespace}/{name}", "suspend", (k, key) => k.SuspendAsync(services.Grains, key, reason), cancellationToken));
        admin.MapPost("/{kind}/{namespace}/{name}/resume", (HttpContext context, string kind, string @namespace, string name, CancellationToken cancellationToken) =>
            ActAsync(context, services, kind, $"{@namespace}/{name}", "resume", (k, key) => k.ResumeAsync(services.Grains, key), cancellationToken));
    }

    private static async Task<IResult> ApplyAsync(HttpContext context, string? source, ApiServices services, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(source) ? "request" : source;
        if (context.Request.ContentLength > MaxApplyBytes)
        {
            return ApiError.Result(StatusCodes.Status413PayloadTooLarge, "TooLarge", $"the body is larger than {MaxApplyBytes / 1024 / 1024} MiB; apply the resources in several requests");
        }

        // Read in small pieces with a budget: a body without Content-Length cannot make the silo buffer more than the limit.
        var text = new System.Text.StringBuilder();
        using (var reader = new StreamReader(context.Request.Body))
        {
            var buffer = new char[16 * 1024];
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
            {
                if (text.Length + read > MaxApplyBytes)
                {
                    return ApiError.Result(StatusCodes.Status413PayloadTooLarge, "TooLarge", $"the body is larger than {MaxApplyBytes / 1024 / 1024} MiB; apply the resources in several requests");
                }

                text.Append(buffer, 0, read);
            }
        }

        var yaml = text.ToString();
        var parsed = ResourceParser.Parse(yaml, name);
        var errors = parsed.Errors.Select(e => new DocumentError(e.Source, e.Document, e.Kind, e.Name, e.Field, e.Message, e.ToString())).ToList();
        var documents = parsed.Resources.Select((document, index) => (Document: document, Kind: services.Kinds.Find(document.Kind))).ToList();
        errors.AddRange(documents.Where(d => d.Kind is null).Select(d => new DocumentError(name, 0, d.Document.Kind, d.Document.Key, "kind",
            $"{d.Document.Kind} is not served by this silo yet; use one of {services.Kinds.Names}", $"{name}: {d.Document.Kind} {d.Document.Key}: kind: not served by this silo yet")));
        foreach (var duplicate in parsed.Resources.GroupBy(d => (d.Kind, d.Key)).Where(g => g.Count() > 1))
        {
            errors.Add(new DocumentError(name, 0, duplicate.Key.Kind, duplicate.Key.Key, "metadata.name",
                "the same resource appears more than once in the body; keep one document per resource",
                $"{name}: {duplicate.Key.Kind} {duplicate.Key.Key}: metadata.name: appears {duplicate.Count()} times"));
        }

        if (errors.Count > 0)
        {
            return ApiError.Result(StatusCodes.Status422UnprocessableEntity, "Invalid",
                $"{errors.Count} of the documents in {name} {(errors.Count == 1 ? "is" : "are")} invalid; nothing was applied. Fix every error listed and apply again.", errors);
        }

        if (documents.Count == 0)
        {
            return ApiError.Result(StatusCodes.Status422UnprocessableEntity, "Invalid", $"{name} holds no resources; send multi-document YAML with GitRepository and Kustomization documents");
        }

        using var act = ApiServices.Act(context);
        var applied = new List<ResourceView>();
        foreach (var (document, kind) in documents.OrderBy(d => d.Kind!.ApplyOrder))
        {
            try
            {
                await kind!.ApplyAsync(services.Grains, document);
                services.Logger.LogInformation("{Kind} {Resource} applied by {Actor}", kind.Kind, document.Key, TokenAuthorization.TokenOf(context).Name);
                await services.Projection.RefreshAsync(kind, document.Key, cancellationToken);
                applied.Add((await kind.LoadAsync(services.Store, document.Key, cancellationToken))!);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                var failed = services.Failed(exception, kind!, document.Key, "apply");
                return applied.Count == 0
                    ? failed
                    : ApiError.Result(StatusCodes.Status500InternalServerError, "PartiallyApplied",
                        $"applied {string.Join(", ", applied.Select(v => $"{v.Kind} {v.Key}"))}, then {kind!.Kind} {document.Key} failed: {exception.Message}; fix it and apply the body again (applying is idempotent)");
            }
        }

        return Results.Ok(new AppliedResources(applied));
    }

    private static async Task<IResult> DiffAsync(ApiServices services, string kindName, string key, CancellationToken cancellationToken)
    {
        if (services.Kinds.Find(kindName) is not { } kind)
        {
            return services.UnknownKind(kindName);
        }

        if (kind is not KustomizationKind)
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "BadRequest", $"diff compares a Kustomization's build with its cluster; {kind.Kind} has none (use granary get or history)");
        }

        if (await kind.LoadAsync(services.Store, key, cancellationToken) is not { Status.Exists: true })
        {
            return ApiServices.NotFound(kind, key);
        }

        try
        {
            return Results.Ok(await services.Grains.Get<Contracts.Deployments.IKustomizationGrain>(key).DiffAsync());
        }
        catch (InvalidOperationException exception)
        {
            return ApiError.Result(StatusCodes.Status422UnprocessableEntity, "DiffFailed", exception.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return services.Failed(exception, kind, key, "diff");
        }
    }

    private static async Task<IResult> ListAsync(string? kind, string? @namespace, string? ready, ApiServices services, CancellationToken cancellationToken)
    {
        ResourceKind? resourceKind = null;
        if (kind is not null && (resourceKind = services.Kinds.Find(kind)) is null)
        {
            return services.UnknownKind(kind);
        }

        string? readiness = ready?.ToLowerInvariant() switch
        {
            null => null,
            "true" => "True",
            "false" => "False",
            "unknown" => "Unknown",
            _ => "invalid",
        };
        if (readiness == "invalid")
        {
            return ApiError.Result(StatusCodes.Status400BadRequest, "BadRequest", $"ready: '{ready}' is not a readiness; use true, false or unknown");
        }

        var rows = await services.Table.ListAsync(resourceKind?.Kind, @namespace, readiness, cancellationToken);
        return Results.Ok(new ResourceList(rows));
    }

    private static async Task<IResult> ActAsync(HttpContext context, ApiServices services, string kindName, string key, string action, Func<ResourceKind, string, Task> call, CancellationToken cancellationToken)
    {
        if (services.Kinds.Find(kindName) is not { } kind)
        {
            return services.UnknownKind(kindName);
        }

        if (await kind.LoadAsync(services.Store, key, cancellationToken) is not { Status.Exists: true })
        {
            return ApiServices.NotFound(kind, key);
        }

        using (ApiServices.Act(context))
        {
            try
            {
                await call(kind, key);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return services.Failed(exception, kind, key, action);
            }
        }

        services.Logger.LogInformation("{Kind} {Resource}: {Action} by {Actor}", kind.Kind, key, action, TokenAuthorization.TokenOf(context).Name);
        await services.Projection.RefreshAsync(kind, key, cancellationToken);
        return Results.Ok(await kind.LoadAsync(services.Store, key, cancellationToken));
    }
}

/// <summary>The answer to an apply: every resource applied, with its status afterwards.</summary>
/// <param name="Applied">The resources, sources first.</param>
public sealed record AppliedResources(IReadOnlyList<ResourceView> Applied);

/// <summary>The answer to a list.</summary>
/// <param name="Items">The resources matching the filters.</param>
public sealed record ResourceList(IReadOnlyList<ReadModel.ResourceRow> Items);
