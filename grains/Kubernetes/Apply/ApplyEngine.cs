using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Granary.Contracts.Deployments;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Discovery;
using Granary.Grains.Kubernetes.Drift;
using Granary.Grains.Kubernetes.Health;
using Granary.Grains.Kubernetes.Objects;
using Granary.Grains.Kubernetes.Prune;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Grains.Kubernetes.Apply;

/// <summary>
/// Applies rendered manifests to one cluster as Flux's kustomize-controller does: label with the owner, server-side apply
/// in stages (CRDs and Namespaces, wait for CRDs, cluster-scoped, namespaced; parallel within a stage), prune what left
/// the inventory, then wait for health. Plain library code: the Kustomization and HelmRelease grains call it.
/// </summary>
public sealed class ApplyEngine(KubernetesClient client, ILogger<ApplyEngine>? logger = null)
{
    private const int MaxErrorsInMessage = 10;

    // A type with at most this many objects in one namespace is read with GETs; more are listed in pages, which costs
    // the server far less than a GET each (1,000 Deployments: 2 list pages instead of 1,000 requests).
    private const int ListThreshold = 4;

    private readonly ILogger logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly HealthWaiter health = new(client);

    /// <summary>
    /// Applies <paramref name="objects"/> for <paramref name="owner"/>. Expected failures (invalid objects, forbidden,
    /// immutable fields, unhealthy objects) come back as a result with a Flux reason; only cancellation throws.
    /// </summary>
    public async Task<ApplyResult> ApplyAsync(ResourceOwner owner, IReadOnlyList<JsonObject> objects, Inventory previous, ApplyOptions options,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var changes = new ConcurrentBag<Change>();
        var applied = new ConcurrentBag<ObjectReference>();
        List<Desired> desired;
        try
        {
            desired = await PrepareAsync(owner, objects, options, ApplyStages.IsDefinition, cancellationToken);
        }
        catch (Exception e) when (e is KubernetesException or ArgumentException)
        {
            return Failed(ApplyReasons.ReconciliationFailed, e.Message);
        }

        // Stage 1: CRDs and Namespaces, then wait until the CRDs are Established so their kinds can be mapped.
        var errors = await ApplyStageAsync(desired, options, changes, applied, cancellationToken);
        if (errors.Count > 0)
        {
            return Failed(ApplyReasons.ReconciliationFailed, Summarize("apply", errors));
        }

        var crds = desired.Where(d => d.Reference.GroupKind == new GroupKind("apiextensions.k8s.io", "CustomResourceDefinition")).Select(d => d.Reference).ToList();
        if (crds.Count > 0)
        {
            HealthReport established;
            try
            {
                established = await health.WaitAsync(crds, Remaining(options, clock), cancellationToken);
            }
            catch (KubernetesException e)
            {
                return Failed(ApplyReasons.ReconciliationFailed, $"Waiting for CustomResourceDefinitions to be Established failed: {e.Message}");
            }

            if (!established.Healthy)
            {
                return Failed(ApplyReasons.ReconciliationFailed, $"CustomResourceDefinitions are not Established: {established.Message}");
            }
        }

        // Stages 2 and 3: discovery now knows the new kinds (a miss refreshes it), so the rest can be mapped and sorted by scope.
        List<Desired> rest;
        try
        {
            rest = await PrepareAsync(owner, objects, options, r => !ApplyStages.IsDefinition(r), cancellationToken);
        }
        catch (Exception e) when (e is KubernetesException or ArgumentException)
        {
            return Failed(ApplyReasons.ReconciliationFailed, e.Message);
        }

        foreach (var stage in new[] { rest.Where(d => !d.Mapping.Namespaced).ToList(), rest.Where(d => d.Mapping.Namespaced).ToList() })
        {
            errors = await ApplyStageAsync(stage, options, changes, applied, cancellationToken);
            if (errors.Count > 0)
            {
                return Failed(ApplyReasons.ReconciliationFailed, Summarize("apply", errors));
            }
        }

        var all = desired.Concat(rest).Select(d => d.Reference).ToList();
        var inventory = Inventory.Of(all);
        if (options.Prune)
        {
            var (pruned, pruneErrors) = await new Pruner(client).PruneAsync(owner, previous.Without(inventory), cancellationToken);
            foreach (var change in pruned)
            {
                changes.Add(change);
            }

            if (pruneErrors.Count > 0)
            {
                return Result(false, ApplyReasons.PruneFailed, Summarize("prune", pruneErrors), inventory, null);
            }
        }

        var checks = (options.Wait ? all : []).Concat(options.HealthChecks).Distinct().ToList();
        if (checks.Count > 0)
        {
            HealthReport report;
            try
            {
                report = await health.WaitAsync(checks, Remaining(options, clock), cancellationToken);
            }
            catch (KubernetesException e)
            {
                return Result(false, ApplyReasons.HealthCheckFailed, $"Health check failed: {e.Message}", inventory, null);
            }

            if (!report.Healthy)
            {
                return Result(false, ApplyReasons.HealthCheckFailed, $"Health check failed after {clock.Elapsed.TotalSeconds:0.#} s: {report.Message}", inventory, report);
            }

            return Result(true, ApplyReasons.ReconciliationSucceeded, Summary(), inventory, report);
        }

        return Result(true, ApplyReasons.ReconciliationSucceeded, Summary(), inventory, null);

        string Summary()
        {
            var set = new ChangeSet([.. changes]);
            return $"Applied {all.Count} objects in {clock.Elapsed.TotalSeconds:0.##} s: {set.Count(ChangeAction.Created)} created, {set.Count(ChangeAction.Configured)} configured, "
                + $"{set.Count(ChangeAction.Unchanged)} unchanged, {set.Count(ChangeAction.Deleted)} deleted, {set.Count(ChangeAction.Skipped)} skipped";
        }

        ApplyResult Result(bool succeeded, string reason, string message, Inventory next, HealthReport? report)
        {
            var set = new ChangeSet([.. changes.OrderBy(c => c.Object.ToString(), StringComparer.Ordinal)]);
            logger.Log(succeeded ? LogLevel.Information : LogLevel.Warning, "Apply for {Owner}: {Reason}: {Message}", owner, reason, message);
            return new ApplyResult(succeeded, reason, message, set, next, report);
        }

        // On failure the previous inventory stays, plus whatever did get applied, so the next prune still knows it.
        ApplyResult Failed(string reason, string message) =>
            Result(false, reason, message, Inventory.Of(previous.Entries.Select(e => e.Reference).Concat(applied)), null);
    }

    /// <summary>
    /// What <see cref="ApplyAsync"/> would change, without changing anything: each object prepared as the apply prepares it
    /// and compared with the cluster by server-side dry-run (<see cref="DryRunDiff"/>), and, with prune, each object of
    /// <paramref name="previous"/> that left the manifests and would be deleted (by the pruner's rules: still ours, prune
    /// not disabled). A custom resource whose CRD is new in the same manifests cannot be mapped yet and fails the diff.
    /// </summary>
    public async Task<IReadOnlyList<ObjectDiff>> DiffAsync(ResourceOwner owner, IReadOnlyList<JsonObject> objects, Inventory previous, ApplyOptions options,
        CancellationToken cancellationToken)
    {
        var desired = await PrepareAsync(owner, objects, options, _ => true, cancellationToken);
        var diffs = new ConcurrentBag<ObjectDiff>();
        await Parallel.ForEachAsync(desired, new ParallelOptions { MaxDegreeOfParallelism = client.Options.MaxConcurrency, CancellationToken = cancellationToken },
            async (item, ct) => diffs.Add(await DryRunDiff.OfAsync(client, item.Reference, item.Manifest, ct)));
        if (options.Prune)
        {
            foreach (var stale in previous.Without(Inventory.Of(desired.Select(d => d.Reference))))
            {
                try
                {
                    if (await client.TryGetAsync(stale.Reference, cancellationToken) is { } live && owner.Owns(live) && !ResourceOwner.PruneIsDisabled(live))
                    {
                        diffs.Add(DryRunDiff.Pruned(stale.Reference));
                    }
                }
                catch (UnknownKindException)
                {
                    // Its CRD is gone, and with it every object of the kind: nothing to prune.
                }
            }
        }

        return diffs.OrderBy(d => d.Kind, StringComparer.Ordinal).ThenBy(d => d.Namespace, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The objects of one apply that pass <paramref name="include"/>, owner-labelled, namespaced and defaulted, with their mapping.</summary>
    private async Task<List<Desired>> PrepareAsync(ResourceOwner owner, IReadOnlyList<JsonObject> objects, ApplyOptions options,
        Func<ObjectReference, bool> include, CancellationToken cancellationToken)
    {
        var seen = new HashSet<(GroupKind, string, string)>();
        var prepared = new List<Desired>();
        foreach (var obj in objects)
        {
            var reference = ObjectReference.Of(obj);
            if (!include(reference))
            {
                continue;
            }

            var mapping = await client.Mapper.MapAsync(reference.ApiVersion, reference.Kind, cancellationToken, reference);
            var copy = (JsonObject)obj.DeepClone();
            var metadata = (JsonObject)copy["metadata"]!;
            if (mapping.Namespaced && reference.Namespace.Length == 0)
            {
                var @namespace = options.DefaultNamespace
                    ?? throw new ArgumentException($"{reference} is namespaced but has no metadata.namespace; set it in the manifest, or set a target namespace.");
                metadata["namespace"] = @namespace;
                reference = reference.InNamespace(@namespace);
            }
            else if (!mapping.Namespaced && reference.Namespace.Length > 0)
            {
                metadata.Remove("namespace"); // kubectl ignores a namespace on cluster-scoped objects too
                reference = reference.InNamespace("");
            }

            if (!seen.Add((reference.GroupKind, reference.Namespace, reference.Name)))
            {
                throw new ArgumentException($"{reference} appears twice in the manifests; remove one of them.");
            }

            owner.Label(copy);
            ProtocolDefaults.Apply(copy);
            prepared.Add(new Desired(reference, mapping, copy));
        }

        return prepared;
    }

    private async Task<List<string>> ApplyStageAsync(List<Desired> stage, ApplyOptions options, ConcurrentBag<Change> changes, ConcurrentBag<ObjectReference> applied,
        CancellationToken cancellationToken)
    {
        var errors = new ConcurrentBag<string>();
        if (stage.Count == 0)
        {
            return [];
        }

        IReadOnlyDictionary<ObjectReference, JsonObject> live;
        try
        {
            live = await ReadLiveAsync(stage, cancellationToken);
        }
        catch (KubernetesException e)
        {
            return [e.Message];
        }

        // The client bounds requests in flight; twice as many workers keep its queue full while others compare JSON.
        await Parallel.ForEachAsync(stage, new ParallelOptions { MaxDegreeOfParallelism = client.Options.MaxConcurrency * 2, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                try
                {
                    changes.Add(await ApplyOneAsync(item, live.GetValueOrDefault(item.Reference), options, ct));
                    applied.Add(item.Reference);
                }
                catch (KubernetesException e)
                {
                    errors.Add(e.Object is null ? $"{item.Reference}: {e.Message}" : e.Message);
                }
            });
        return [.. errors.OrderBy(e => e, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Applies one object and says what changed. Missing objects are applied at once (created). Existing ones are first
    /// checked against their live state (<see cref="AppliedStateCheck"/>): when it proves the apply would change nothing,
    /// no request is made. Otherwise a dry-run apply shows what the server would store; only a difference from the live
    /// object (ignoring server-managed fields) leads to the real apply (configured).
    /// </summary>
    private async Task<Change> ApplyOneAsync(Desired item, JsonObject? live, ApplyOptions options, CancellationToken cancellationToken)
    {
        try
        {
            if (live is null)
            {
                await client.ApplyAsync(item.Manifest, force: true, dryRun: false, cancellationToken);
                return new Change(item.Reference, ChangeAction.Created);
            }

            if (AppliedStateCheck.AlreadyApplied(item.Manifest, live, client.Options.FieldManager))
            {
                return new Change(item.Reference, ChangeAction.Unchanged);
            }

            var dryRun = await client.ApplyAsync(item.Manifest, force: true, dryRun: true, cancellationToken);
            if (ObjectMetadata.String(dryRun["metadata"]?["resourceVersion"]) != ObjectMetadata.String(live["metadata"]?["resourceVersion"]))
            {
                // A controller wrote the object since we listed it (a Deployment's revision annotation); compare with
                // the version the dry run started from, or its change would look like ours.
                live = await client.TryGetAsync(item.Reference, cancellationToken) ?? live;
            }

            if (JsonComparison.Equal(ServerManagedFields.Without(dryRun), ServerManagedFields.Without(live)))
            {
                // Same content, but our field manager does not own the fields yet (kubectl created the object, or a
                // field left the manifest with the same value elsewhere): take them over so the next check is fast.
                if (!JsonComparison.Equal(ServerManagedFields.AppliedFields(dryRun, client.Options.FieldManager, out _),
                        ServerManagedFields.AppliedFields(live, client.Options.FieldManager, out _)))
                {
                    await client.ApplyAsync(item.Manifest, force: true, dryRun: false, cancellationToken);
                }

                return new Change(item.Reference, ChangeAction.Unchanged);
            }

            await client.ApplyAsync(item.Manifest, force: true, dryRun: false, cancellationToken);
            return new Change(item.Reference, ChangeAction.Configured);
        }
        catch (InvalidException e) when (e.IsImmutableFieldChange)
        {
            if (!options.Force)
            {
                throw new KubernetesException(
                    $"{item.Reference}: {e.FieldNames} cannot be changed (immutable field): {e.ServerMessage}. Enable force to delete and recreate the object, or revert the change.",
                    item.Reference, e);
            }

            await RecreateAsync(item, options, cancellationToken);
            return new Change(item.Reference, ChangeAction.Configured, $"recreated: {e.FieldNames} is immutable");
        }
    }

    private async Task RecreateAsync(Desired item, ApplyOptions options, CancellationToken cancellationToken)
    {
        logger.LogInformation("Recreating {Object}: an immutable field changed and force is set", item.Reference);
        await client.DeleteAsync(item.Reference, PropagationPolicy.Background, cancellationToken);
        var deadline = Stopwatch.StartNew();
        while (await client.TryGetAsync(item.Reference, cancellationToken) is not null)
        {
            if (deadline.Elapsed > options.Timeout)
            {
                throw new KubernetesException($"{item.Reference} was deleted to be recreated but still exists after {options.Timeout.TotalSeconds:0} s (finalizers?).", item.Reference);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        await client.ApplyAsync(item.Manifest, force: true, dryRun: false, cancellationToken);
    }

    /// <summary>Reads the live state of a stage's objects: one paged list per type and namespace, or GETs for a few objects.</summary>
    private async Task<IReadOnlyDictionary<ObjectReference, JsonObject>> ReadLiveAsync(List<Desired> stage, CancellationToken cancellationToken)
    {
        var live = new ConcurrentDictionary<ObjectReference, JsonObject>();
        var groups = stage.GroupBy(d => (d.Mapping, d.Reference.Namespace)).ToList();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = client.Options.MaxConcurrency, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                var members = group.ToList();
                if (members.Count > ListThreshold)
                {
                    try
                    {
                        var names = members.ToDictionary(m => m.Reference.Name, m => m.Reference);
                        foreach (var item in await client.ListAllAsync(group.Key.Mapping.ApiVersion, group.Key.Mapping.Kind, group.Key.Namespace, null, ct))
                        {
                            if (ObjectMetadata.String(item["metadata"]?["name"]) is { } name && names.TryGetValue(name, out var reference))
                            {
                                live[reference] = item;
                            }
                        }

                        return;
                    }
                    catch (ForbiddenException)
                    {
                        // Allowed to get and patch these objects but not to list the type: read them one by one.
                    }
                }

                await Parallel.ForEachAsync(members, ct, async (member, ct2) =>
                {
                    if (await client.TryGetAsync(member.Reference, ct2) is { } obj)
                    {
                        live[member.Reference] = obj;
                    }
                });
            });
        return live;
    }

    private static TimeSpan Remaining(ApplyOptions options, Stopwatch clock) =>
        options.Timeout > clock.Elapsed ? options.Timeout - clock.Elapsed : TimeSpan.Zero;

    private static string Summarize(string what, IReadOnlyList<string> errors) =>
        $"{errors.Count} object(s) failed to {what}: {string.Join("; ", errors.Take(MaxErrorsInMessage))}{(errors.Count > MaxErrorsInMessage ? $"; and {errors.Count - MaxErrorsInMessage} more" : "")}";

    private sealed record Desired(ObjectReference Reference, ResourceMapping Mapping, JsonObject Manifest);
}
