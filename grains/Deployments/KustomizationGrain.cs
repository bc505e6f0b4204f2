using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Contracts.Clusters;
using Granary.Contracts.Deployments;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Build;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Build.Sops;
using Granary.Grains.Build.Substitution;
using Granary.Grains.Clusters;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Objects;
using Granary.Grains.Resources;
using Granary.Runtime;
using Microsoft.Extensions.Logging;
using KubeMetadata = Granary.Grains.Kubernetes.Objects.ObjectMetadata;

namespace Granary.Grains.Deployments;

/// <summary>
/// A Kustomization. Each reconcile is a straight line, as in Flux's kustomize-controller: get the source
/// artifact, check dependencies, build, decrypt, substitute, apply (with prune and health), record. A reconcile
/// that changes nothing appends nothing; a new source artifact or a ready dependency triggers one at once.
/// </summary>
public sealed class KustomizationGrain(KustomizationEnvironment environment) : ResourceGrain<KustomizationState>, IKustomizationGrain
{
    private bool _subscribed;
    private bool _fleetSubscribed;
    private string? _renderKey;
    private byte[]? _rendered;

    /// <inheritdoc />
    protected override KustomizationState Apply(KustomizationState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    protected override string KindName => "Kustomization";

    /// <inheritdoc />
    protected override TimeSpan? ReconcilePeriod => State.Spec is not { } spec ? null
        : !Failing ? spec.Interval.Value : (spec.RetryInterval ?? spec.Interval).Value;

    /// <summary>Whether the last reconcile failed, as a whole or on any Cluster of the fleet.</summary>
    private bool Failing => State.Failure is not null || State.Fleet.Values.Any(f => f.Failure is not null);

    /// <inheritdoc />
    protected override bool IsSuspended => State.Suspended || State.Spec?.Suspend == true;

    /// <inheritdoc />
    public async Task<DeploymentStatus> ApplyAsync(Kustomization resource)
    {
        await DeclareAsync(resource);
        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public async Task<long> DeclareAsync(Kustomization resource)
    {
        if (resource.Key != Key)
        {
            throw new ArgumentException($"Kustomization {resource.Key} was sent to grain {Key}; apply each resource to the grain of its own namespace/name.");
        }

        if (SpecChanged(State.Spec, resource.Spec, resource.Metadata.Labels))
        {
            await RaiseAsync(new KustomizationSpecApplied(State.Generation + 1, resource.Spec, resource.Metadata.Labels));
            await KeepAliveAsync(resource.Spec.Interval.Value);
            Schedule(TimeSpan.Zero);
            _subscribed = false;
            _fleetSubscribed = false;
        }

        return State.Generation;
    }

    /// <inheritdoc />
    public async Task<DeploymentStatus> ReconcileAsync()
    {
        await ReconcileOnceAsync(CancellationToken.None);
        return Status();
    }

    /// <inheritdoc />
    public async Task<DeploymentStatus> RequestReconcileAsync(bool withSource)
    {
        await RecordReconcileRequestAsync(withSource);
        if (withSource && State.Spec!.SourceRef is { Kind: "GitRepository" } source)
        {
            await GrainFactory.Get<IGitRepositoryGrain>($"{source.Namespace ?? Namespace}/{source.Name}").RequestReconcileAsync();
        }

        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public Task SourceChangedAsync(GrainId source, SourceArtifact artifact) => ReconcileOnceAsync(CancellationToken.None);

    /// <inheritdoc />
    public Task DependencyReadyAsync(string dependencyKey) => ReconcileOnceAsync(CancellationToken.None);

    /// <inheritdoc />
    public Task FleetChangedAsync(FleetChange change) => ReconcileOnceAsync(CancellationToken.None);

    /// <inheritdoc />
    public async Task DeleteAsync()
    {
        if (!State.Exists)
        {
            return;
        }

        var spec = State.Spec!;
        if (spec.Prune && State.Inventory.Count > 0)
        {
            // Applying nothing over the last inventory prunes it all, with the engine's rules (prune-disabled, ownership).
            var previous = new Inventory(State.Inventory.Select(ParseInventory).ToList());
            var client = await ClientAsync(spec);
            var result = await new ApplyEngine(client).ApplyAsync(Owner, [], previous, new ApplyOptions { Prune = true }, CancellationToken.None);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Kustomization {Key} could not prune what it applied: {result.Message}; fix the cluster access or set prune: false, then delete again.");
            }
        }

        if (environment.Fleet is { } fleet)
        {
            foreach (var cluster in State.Fleet.Keys.ToList())
            {
                await ReleaseAsync(fleet, cluster, spec, CancellationToken.None);
            }
        }

        await RecordDeletedAsync();
    }

    /// <inheritdoc />
    public Task<DeploymentStatus> GetStatusAsync() => Task.FromResult(Status());

    /// <inheritdoc />
    public async Task<KustomizationDiff> DiffAsync()
    {
        if (!State.Exists || State.Spec is not { } spec)
        {
            throw new InvalidOperationException($"Kustomization {Key} does not exist; apply it first");
        }

        if (spec.ClusterSelector is not null || TargetProblem(spec) is not null)
        {
            throw new InvalidOperationException(TargetProblem(spec) ?? $"Kustomization {Key} applies to a fleet (spec.clusterSelector); diff compares one cluster, so diff a Kustomization with clusterRef for each Cluster");
        }

        var artifact = await CurrentArtifactAsync(spec);
        if (artifact.Artifact is null)
        {
            throw new InvalidOperationException($"ArtifactFailed: {artifact.Problem}");
        }

        IReadOnlyList<JsonObject> objects;
        try
        {
            objects = await BuildAsync(spec, artifact.Artifact, CancellationToken.None);
        }
        catch (Exception exception) when (exception is BuildFailedException or SopsDecryptionException or SubstitutionException or Artifacts.ArtifactException or KubernetesException or AgeIdentityFormatException)
        {
            throw new InvalidOperationException($"BuildFailed: Kustomization {Key} revision {artifact.Artifact.Revision}: {exception.Message}");
        }

        // On the silo's own cluster the build's Granary resources are declared to Granary, not applied: say which are new or gone.
        var declaresResources = ClusterTarget.Of(Namespace, spec.KubeConfig, spec.ClusterRef) is null;
        var own = declaresResources ? objects.Where(o => ResourceParser.IsResourceKind(KubeMetadata.String(o["apiVersion"]), KubeMetadata.String(o["kind"]))).ToList() : [];
        IReadOnlyList<ObjectDiff> diffs;
        try
        {
            var previous = new Inventory(State.Inventory.Select(ParseInventory).ToList());
            diffs = await new ApplyEngine(await ClientAsync(spec)).DiffAsync(Owner, objects.Except(own).ToList(), previous, ApplyOptionsOf(spec), CancellationToken.None);
        }
        catch (Exception exception) when (exception is KubernetesException or ClusterConnectionException or ArgumentException)
        {
            throw new InvalidOperationException($"ReconciliationFailed: Kustomization {Key}: the dry run failed: {exception.Message}");
        }

        var declared = State.Resources.Select(r => r[..r.LastIndexOf('|')]).ToHashSet(StringComparer.Ordinal);
        var building = own.Select(o => (Object: o, Name: $"{KubeMetadata.String(o["kind"])} {KubeMetadata.String(o["metadata"]?["namespace"]) ?? spec.TargetNamespace ?? Namespace}/{KubeMetadata.String(o["metadata"]?["name"])}")).ToList();
        var resources = building.Select(b => Declared(KubeMetadata.String(b.Object["apiVersion"])!, b.Name, declared.Contains(b.Name) ? DiffAction.Unchanged : DiffAction.Created))
            .Concat(spec.Prune ? declared.Except(building.Select(b => b.Name)).Select(gone => Declared(string.Empty, gone, DiffAction.Deleted)) : []);
        return new KustomizationDiff(artifact.Artifact.Revision, [.. diffs, .. resources]);

        static ObjectDiff Declared(string apiVersion, string name, DiffAction action)
        {
            var (kind, key) = (name[..name.IndexOf(' ')], name[(name.IndexOf(' ') + 1)..]);
            return new ObjectDiff(apiVersion, kind, key[..key.IndexOf('/')], key[(key.IndexOf('/') + 1)..], action, [],
                action == DiffAction.Unchanged ? "declared to Granary: granary diff does not compare its spec" : "declared to Granary");
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetDependenciesAsync() =>
        Task.FromResult<IReadOnlyList<string>>(State.Spec?.DependsOn?.Select(d => $"{d.Namespace ?? Namespace}/{d.Name}").ToList() ?? []);

    /// <inheritdoc />
    public async Task<DeploymentStatus> AddDependentAsync(string dependentKey)
    {
        if (!State.Dependents.Contains(dependentKey))
        {
            await RaiseAsync(new DependentAdded(dependentKey));
        }

        return Status();
    }

    private ResourceOwner Owner => new(Name, Namespace);

    /// <summary>One reconcile: source → dependencies → build → apply (to its cluster, or to each Cluster of its fleet) → record.</summary>
    protected override async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        if (!State.Exists || State.Spec is not { } spec || IsSuspended)
        {
            return;
        }

        var generation = State.Generation;
        if (TargetProblem(spec) is { } problem)
        {
            await FailAsync(generation, State.LastAttemptedRevision ?? string.Empty, "ReconciliationFailed", problem);
            return;
        }

        var artifact = await GetSourceArtifactAsync(spec);
        if (artifact is null)
        {
            return;
        }

        if (!await DependenciesReadyAsync(spec, artifact.Revision))
        {
            return;
        }

        IReadOnlyList<JsonObject> objects;
        try
        {
            objects = await BuildAsync(spec, artifact, cancellationToken);
        }
        catch (Exception exception) when (exception is BuildFailedException or SopsDecryptionException or SubstitutionException or Artifacts.ArtifactException or KubernetesException or AgeIdentityFormatException)
        {
            await FailAsync(generation, artifact.Revision, "BuildFailed", exception.Message);
            return;
        }

        var wasFailing = Failing;
        var recorded = spec.ClusterSelector is { } selector
            ? await ApplyToFleetAsync(spec, selector, generation, artifact, objects, cancellationToken)
            : await ApplyToClusterAsync(spec, generation, artifact, objects, cancellationToken);
        var status = Status();
        if (recorded && status.IsReady)
        {
            Logger.LogInformation("Kustomization {Resource} applied revision {Revision}", Key, artifact.Revision);
            foreach (var dependent in State.Dependents)
            {
                await GrainFactory.Get<IKustomizationGrain>(dependent).DependencyReadyAsync(Key);
            }
        }

        if (Failing != wasFailing)
        {
            // Failing retries at retryInterval; recovered, back to interval.
            Schedule(Max(ReconcilePeriod!.Value, TimeSpan.FromSeconds(1)));
        }
    }

    /// <summary>Where the spec points that cannot be reached as written, or null.</summary>
    private static string? TargetProblem(KustomizationSpec spec)
    {
        if (spec.ClusterSelector is { } selector)
        {
            return spec.KubeConfig is not null || spec.ClusterRef is not null
                ? "spec.clusterSelector is set together with spec.kubeConfig or spec.clusterRef; a Kustomization targets one cluster or a fleet, so remove one"
                : selector.Validate("spec.clusterSelector");
        }

        return spec.KubeConfig is not null && spec.ClusterRef is not null
            ? "spec.kubeConfig and spec.clusterRef are both set; a Kustomization applies to one cluster, so remove one"
            : null;
    }

    /// <summary>
    /// Applies to the single target (the silo's cluster, <c>kubeConfig</c> or <c>clusterRef</c>); true when events were
    /// recorded. On the silo's own cluster, Granary resources in the build (Flux kinds, Clusters) are declared to their
    /// grains instead — after the cluster objects, so Namespaces they need exist — and recorded in the same <see cref="Applied"/>.
    /// </summary>
    private async Task<bool> ApplyToClusterAsync(KustomizationSpec spec, long generation, SourceArtifact artifact, IReadOnlyList<JsonObject> objects, CancellationToken cancellationToken)
    {
        var declaresResources = ClusterTarget.Of(Namespace, spec.KubeConfig, spec.ClusterRef) is null;
        var own = declaresResources ? objects.Where(o => ResourceParser.IsResourceKind(KubeMetadata.String(o["apiVersion"]), KubeMetadata.String(o["kind"]))).ToList() : [];
        var before = new TargetRecord(State.Inventory, State.LastAppliedRevision, State.ObservedGeneration, State.Failure);
        TargetOutcome outcome;
        try
        {
            outcome = await ApplyToTargetAsync(await ClientAsync(spec), null, spec, generation, artifact, own.Count == 0 ? objects : objects.Except(own).ToList(), before, cancellationToken);
        }
        catch (ClusterConnectionException exception)
        {
            outcome = Failure(null, before, generation, artifact.Revision, "ReconciliationFailed", exception.Message);
        }

        if (outcome.Succeeded && (own.Count > 0 || State.Resources.Count > 0))
        {
            outcome = await DeclareResourcesAsync(spec, generation, artifact, own, outcome, before);
        }

        var recorded = await RecordAsync(outcome, cancellationToken);
        foreach (var resource in _declaredSelf)
        {
            // This Kustomization's own definition came from its build: it takes effect on the next reconcile.
            await DeclareAsync(resource);
        }

        _declaredSelf.Clear();
        return recorded;
    }

    private readonly List<Kustomization> _declaredSelf = [];

    /// <summary>
    /// Declares the build's Granary resources to their grains (each reconciles on its own turn) and, with prune, deletes those
    /// that left the build; folds what changed into the outcome's <see cref="Applied"/> (or makes one).
    /// </summary>
    private async Task<TargetOutcome> DeclareResourcesAsync(KustomizationSpec spec, long generation, SourceArtifact artifact, List<JsonObject> own, TargetOutcome outcome, TargetRecord before)
    {
        foreach (var item in own)
        {
            var metadata = (JsonObject)item["metadata"]!;
            metadata["namespace"] ??= spec.TargetNamespace ?? Namespace;
        }

        // A failure here comes after the cluster objects were applied: when that changed something, both are recorded (the
        // Applied first, then the failure, even if it repeats, so the state ends failed).
        TargetOutcome Failed(string reason, string message) => outcome.Events.Count == 0
            ? Failure(null, before, generation, artifact.Revision, reason, message)
            : new(null, [.. outcome.Events, new ApplyFailed(generation, artifact.Revision, reason, message, DateTimeOffset.UtcNow)], false);

        var parsed = ResourceParser.Parse(own, $"Kustomization {Key} revision {artifact.Revision}");
        if (!parsed.IsValid)
        {
            return Failed("BuildFailed", string.Join("; ", parsed.Errors.Select(e => e.ToString())));
        }

        var previous = State.Resources.ToDictionary(r => r[..r.LastIndexOf('|')], r => r[(r.LastIndexOf('|') + 1)..], StringComparer.Ordinal);
        var declared = new List<string>();
        var changes = new List<string>();
        try
        {
            foreach (var resource in parsed.Resources)
            {
                var name = $"{resource.Kind} {resource.Key}";
                if (resource is Kustomization self && self.Key == Key)
                {
                    _declaredSelf.Add(self);
                    declared.Add($"{name}|{State.Generation}");
                    continue;
                }

                var declaredGeneration = (await environment.Resources.ApplyAsync(GrainFactory, resource)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                declared.Add($"{name}|{declaredGeneration}");
                if (!previous.TryGetValue(name, out var was))
                {
                    changes.Add($"{name} created");
                }
                else if (was != declaredGeneration)
                {
                    changes.Add($"{name} configured");
                }
            }

            var names = declared.Select(d => d[..d.LastIndexOf('|')]).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in previous.Keys.Where(p => !names.Contains(p)).Order(StringComparer.Ordinal))
            {
                if (spec.Prune)
                {
                    var space = gone.IndexOf(' ');
                    await environment.Resources.DeleteAsync(GrainFactory, gone[..space], gone[(space + 1)..]);
                }

                changes.Add($"{gone} deleted");
            }
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or GrainCallTimeoutException)
        {
            return Failed("ReconciliationFailed", $"declaring the build's Granary resources failed: {exception.Message}");
        }

        declared.Sort(StringComparer.Ordinal);
        if (outcome.Events.FirstOrDefault() is Applied applied)
        {
            return outcome with { Events = [applied with { Changes = [.. applied.Changes, .. changes], Resources = declared }, .. outcome.Events.Skip(1)] };
        }

        return changes.Count == 0 && declared.SequenceEqual(State.Resources)
            ? outcome
            : outcome with { Events = [new Applied(generation, artifact.Revision, changes, State.Inventory, DateTimeOffset.UtcNow, null, declared)] };
    }

    /// <summary>
    /// Applies to every Cluster the selector matches, side by side; each Cluster's outcome is recorded as it arrives, so a
    /// slow or unreachable Cluster holds back no other. Clusters that left the selection are pruned and released.
    /// </summary>
    private async Task<bool> ApplyToFleetAsync(KustomizationSpec spec, LabelSelector selector, long generation, SourceArtifact artifact, IReadOnlyList<JsonObject> objects, CancellationToken cancellationToken)
    {
        if (environment.Fleet is not { } fleet)
        {
            await FailAsync(generation, artifact.Revision, "ReconciliationFailed", "spec.clusterSelector: this silo has no fleet clients configured; apply to the silo's cluster or configure fleet clusters");
            return false;
        }

        var directory = GrainFactory.Get<IClusterDirectoryGrain>(Namespace);
        var selected = _fleetSubscribed ? await directory.SelectAsync(selector) : await directory.SubscribeAsync(GrainId, selector);
        _fleetSubscribed = true;
        if (selected.Count == 0 && State.Fleet.Count == 0)
        {
            await FailAsync(generation, artifact.Revision, "NoMatchingClusters", $"no Cluster in namespace {Namespace} matches spec.clusterSelector; label a Cluster to match it, or change the selector");
            return false;
        }

        var recorded = false;
        foreach (var gone in State.Fleet.Keys.Except(selected).ToList())
        {
            recorded |= await ReleaseAsync(fleet, gone, spec, cancellationToken);
        }

        var applies = selected.Select(cluster =>
        {
            var previous = State.Fleet.GetValueOrDefault(cluster);
            // A failure of the whole Kustomization (build, artifact) counts as each Cluster's, so recovering is recorded everywhere.
            var before = new TargetRecord(previous?.Inventory ?? [], previous?.LastAppliedRevision, previous?.ObservedGeneration ?? 0, previous?.Failure ?? State.Failure);
            var copies = objects.Select(o => o.DeepClone().AsObject()).ToList();
            return Task.Run<TargetOutcome>(async () =>
            {
                try
                {
                    var client = await fleet.GetAsync(ClusterTarget.Cluster(Namespace, cluster[(cluster.IndexOf('/') + 1)..]), spec.ServiceAccountName, $"Kustomization {Key}", cancellationToken);
                    return await ApplyToTargetAsync(client, cluster, spec, generation, artifact, copies, before, cancellationToken);
                }
                catch (ClusterConnectionException exception)
                {
                    return Failure(cluster, before, generation, artifact.Revision, "ReconciliationFailed", exception.Message);
                }
            }, cancellationToken);
        }).ToList();
        await foreach (var done in Task.WhenEach(applies))
        {
            recorded |= await RecordAsync(await done, cancellationToken);
        }

        return recorded;
    }

    /// <summary>A Cluster left the selection: prune what was applied there (when it can still be reached) and forget it.</summary>
    private async Task<bool> ReleaseAsync(ClusterClients fleet, string cluster, KustomizationSpec spec, CancellationToken cancellationToken)
    {
        var inventory = State.Fleet[cluster].Inventory;
        string? problem = null;
        IReadOnlyList<string> pruned = [];
        if (spec.Prune && inventory.Count > 0)
        {
            try
            {
                var client = await fleet.GetAsync(ClusterTarget.Cluster(Namespace, cluster[(cluster.IndexOf('/') + 1)..]), spec.ServiceAccountName, $"Kustomization {Key}", cancellationToken);
                var result = await new ApplyEngine(client).ApplyAsync(Owner, [], new Inventory(inventory.Select(ParseInventory).ToList()), new ApplyOptions { Prune = true }, cancellationToken);
                pruned = result.ChangeSet.Changes.Where(c => c.Action == ChangeAction.Deleted).Select(c => c.Object.ToString()).ToList();
                problem = result.Succeeded ? null : result.Message;
            }
            catch (ClusterConnectionException exception)
            {
                problem = $"not pruned: {exception.Message}";
            }
        }

        await RaiseAsync([new ClusterReleased(cluster, pruned, problem)], cancellationToken);
        Logger.LogInformation("Kustomization {Resource} released Cluster {Cluster}: {Pruned} objects pruned{Problem}", Key, cluster, pruned.Count, problem is null ? string.Empty : $" ({problem})");
        return true;
    }

    /// <summary>The client of the single target: the silo's cluster, or the <c>kubeConfig</c>/<c>clusterRef</c> cluster through the fleet clients.</summary>
    private async Task<KubernetesClient> ClientAsync(KustomizationSpec spec)
    {
        if (ClusterTarget.Of(Namespace, spec.KubeConfig, spec.ClusterRef) is not { } target)
        {
            return environment.ClientFor(Namespace, spec.ServiceAccountName);
        }

        var fleet = environment.Fleet
            ?? throw new ClusterConnectionException(ClusterReasons.InvalidSpec, $"spec.{(spec.KubeConfig is not null ? "kubeConfig" : "clusterRef")}: this silo has no fleet clients configured; remove it to apply to the silo's cluster");
        return await fleet.GetAsync(target, spec.ServiceAccountName, $"Kustomization {Key}");
    }

    /// <summary>What was recorded for one target before this reconcile.</summary>
    private sealed record TargetRecord(IReadOnlyList<string> Inventory, string? LastAppliedRevision, long ObservedGeneration, ApplyFailed? Failure);

    /// <summary>The events one target's apply calls for (none when nothing changed).</summary>
    private sealed record TargetOutcome(string? Cluster, IReadOnlyList<object> Events, bool Succeeded);

    /// <summary>Applies the objects to one target and works out what to record; reads no grain state (it may run beside others).</summary>
    private async Task<TargetOutcome> ApplyToTargetAsync(KubernetesClient client, string? cluster, KustomizationSpec spec, long generation, SourceArtifact artifact, IReadOnlyList<JsonObject> objects, TargetRecord before, CancellationToken cancellationToken)
    {
        var previous = new Inventory(before.Inventory.Select(ParseInventory).ToList());
        var result = await new ApplyEngine(client).ApplyAsync(Owner, objects, previous, ApplyOptionsOf(spec), cancellationToken);
        if (!result.Succeeded)
        {
            return Failure(cluster, before, generation, artifact.Revision, result.Reason, result.Message);
        }

        var changes = result.ChangeSet.Changes
            .Where(c => c.Action is ChangeAction.Created or ChangeAction.Configured or ChangeAction.Deleted)
            .ToList();
        var inventory = result.Inventory.Entries.Select(e => $"{e.Id}|{e.Version}").ToList();
        var newRevision = before.LastAppliedRevision != artifact.Revision || before.ObservedGeneration != generation;
        if (changes.Count == 0 && before.Failure is null && !newRevision && inventory.SequenceEqual(before.Inventory))
        {
            return new TargetOutcome(cluster, [], true);
        }

        // One atomic append: the change set, and what it means (prune, drift correction, health).
        var events = new List<object> { new Applied(generation, artifact.Revision, changes.Select(c => c.ToString()).ToList(), inventory, DateTimeOffset.UtcNow, cluster) };
        var deleted = changes.Where(c => c.Action == ChangeAction.Deleted).Select(c => c.Object.ToString()).ToList();
        if (deleted.Count > 0)
        {
            events.Add(new Pruned(artifact.Revision, deleted, cluster));
        }

        var drifted = changes.Where(c => c.Action == ChangeAction.Configured).Select(c => c.Object.ToString()).ToList();
        if (!newRevision && drifted.Count > 0)
        {
            events.Add(new DriftCorrected(artifact.Revision, drifted, cluster));
        }

        if (newRevision && result.Health is { Healthy: true } health)
        {
            events.Add(new HealthChecked(artifact.Revision, health.Message, cluster));
        }

        return new TargetOutcome(cluster, events, true);
    }

    /// <summary>How the spec asks the engine to apply: prune, force, wait, timeout, health checks, the default namespace.</summary>
    private ApplyOptions ApplyOptionsOf(KustomizationSpec spec) => new()
    {
        Prune = spec.Prune,
        Force = spec.Force,
        Wait = spec.Wait,
        Timeout = (spec.Timeout ?? spec.Interval).Value,
        HealthChecks = spec.HealthChecks?.Select(h => new ObjectReference(h.ApiVersion ?? "v1", h.Kind, h.Namespace ?? Namespace, h.Name)).ToList() ?? [],
        DefaultNamespace = spec.TargetNamespace ?? Namespace,
    };

    /// <summary>A failure to record, unless the same failure is already recorded for this target.</summary>
    private static TargetOutcome Failure(string? cluster, TargetRecord before, long generation, string revision, string reason, string message) =>
        before.Failure is { } last && last.Reason == reason && last.Message == message && last.Revision == revision && before.ObservedGeneration == generation
            ? new TargetOutcome(cluster, [], false)
            : new TargetOutcome(cluster, [new ApplyFailed(generation, revision, reason, message, DateTimeOffset.UtcNow, cluster)], false);

    private async Task<bool> RecordAsync(TargetOutcome outcome, CancellationToken cancellationToken)
    {
        if (!outcome.Succeeded && outcome.Events.OfType<ApplyFailed>().FirstOrDefault() is { } failed)
        {
            Logger.LogWarning("Kustomization {Resource} reconcile failed{Cluster}: {Reason}: {Message}", Key, outcome.Cluster is null ? string.Empty : $" on Cluster {outcome.Cluster}", failed.Reason, failed.Message);
        }

        if (outcome.Events.Count == 0)
        {
            return false;
        }

        await RaiseAsync(outcome.Events, cancellationToken);
        return true;
    }

    private async Task<SourceArtifact?> GetSourceArtifactAsync(KustomizationSpec spec)
    {
        var reference = spec.SourceRef;
        if (!_subscribed && reference.Kind == "GitRepository")
        {
            await GrainFactory.Get<IGitRepositoryGrain>($"{reference.Namespace ?? Namespace}/{reference.Name}").SubscribeAsync(GrainId);
            _subscribed = true;
        }

        var (artifact, problem) = await CurrentArtifactAsync(spec);
        if (artifact is null)
        {
            await FailAsync(State.Generation, State.LastAttemptedRevision ?? string.Empty, "ArtifactFailed", problem!);
        }

        return artifact;
    }

    /// <summary>The source's current artifact, or why there is none; asks the source and records nothing.</summary>
    private async Task<(SourceArtifact? Artifact, string? Problem)> CurrentArtifactAsync(KustomizationSpec spec)
    {
        var reference = spec.SourceRef;
        if (reference.Kind != "GitRepository")
        {
            return (null, $"spec.sourceRef.kind {reference.Kind} is not supported yet; use GitRepository");
        }

        var sourceKey = $"{reference.Namespace ?? Namespace}/{reference.Name}";
        var status = await GrainFactory.Get<IGitRepositoryGrain>(sourceKey).GetStatusAsync();
        if (status.Artifact is null)
        {
            var why = status.Exists ? status.Conditions.FirstOrDefault(c => c.Type == "Ready")?.Message ?? "no artifact yet" : "it does not exist";
            return (null, $"Source GitRepository {sourceKey} has no artifact: {why}");
        }

        return (status.Artifact, null);
    }

    /// <summary>Asks each dependency; records the first wait per revision; detects cycles by walking dependsOn.</summary>
    private async Task<bool> DependenciesReadyAsync(KustomizationSpec spec, string revision)
    {
        if (spec.DependsOn is not { Count: > 0 } dependsOn)
        {
            return true;
        }

        if (await FindCycleAsync() is { } cycle)
        {
            await FailAsync(State.Generation, revision, "DependencyNotReady", DependencyCycle.Describe(cycle));
            return false;
        }

        foreach (var dependency in dependsOn)
        {
            var key = $"{dependency.Namespace ?? Namespace}/{dependency.Name}";
            var status = await GrainFactory.Get<IKustomizationGrain>(key).AddDependentAsync(Key);
            if (status.IsReady && status.LastAppliedRevision == status.LastAttemptedRevision)
            {
                continue;
            }

            var message = status.Exists ? $"dependency '{key}' is not ready" : $"dependency '{key}' does not exist";
            if (!State.RecordedWaits.Contains($"{revision}|{key}"))
            {
                await RaiseAsync(new DependencyNotReady(revision, key, message));
            }

            return false;
        }

        return true;
    }

    private Task<List<string>?> FindCycleAsync() =>
        DependencyCycle.FindAsync(Key, key => key == Key ? GetDependenciesAsync() : GrainFactory.Get<IKustomizationGrain>(key).GetDependenciesAsync());

    /// <summary>Render (in memory when the path is plain manifests, else extract and run kustomize), decrypt SOPS Secrets, substitute variables.</summary>
    private async Task<IReadOnlyList<JsonObject>> BuildAsync(KustomizationSpec spec, SourceArtifact artifact, CancellationToken cancellationToken)
    {
        var variables = await VariablesAsync(spec, cancellationToken);

        // Identical inputs render identically: reuse the last render (never for decrypted Secrets, which are not
        // kept in memory between reconciles). The apply engine still verifies every object against the cluster.
        var renderKey = spec.Decryption is null
            ? $"{artifact.Digest}|{State.Generation}|{Granary.EventStore.Blobs.BlobStore.DigestOf(Encoding.UTF8.GetBytes(string.Join('\n', (variables ?? []).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"))))}"
            : null;
        if (renderKey is not null && renderKey == _renderKey && _rendered is not null)
        {
            return JsonNode.Parse(_rendered)!.AsArray().Select(o => o!.AsObject()).ToList();
        }

        var built = await RenderAsync(spec, artifact, variables, cancellationToken);

        // Kept as compact JSON, not as a DOM: a thousand idle Kustomizations hold a few KiB each.
        _renderKey = renderKey;
        _rendered = renderKey is null ? null : JsonSerializer.SerializeToUtf8Bytes(new JsonArray(built.Select(o => (JsonNode)o.DeepClone()).ToArray()));
        return built;
    }

    private Task<IReadOnlyList<JsonObject>> RenderAsync(KustomizationSpec spec, SourceArtifact artifact, Dictionary<string, string>? variables, CancellationToken cancellationToken) =>
        environment.Renderer.RenderAsync(
            new RenderArtifact(token => environment.Artifacts.GetAsync(artifact.Digest, load => LoadArtifactAsync(artifact, load), token), token => LoadArtifactAsync(artifact, token)),
            spec, variables, token => IdentitiesAsync(spec, token), cancellationToken);

    private async Task<byte[]> LoadArtifactAsync(SourceArtifact artifact, CancellationToken cancellationToken) =>
        await Blobs.GetAsync(artifact.Digest, cancellationToken)
            ?? throw new BuildFailedException($"artifact {artifact.Digest} of revision {artifact.Revision} is missing from the blob store");

    private async Task<Dictionary<string, string>?> VariablesAsync(KustomizationSpec spec, CancellationToken cancellationToken)
    {
        if (spec.PostBuild is not { } postBuild)
        {
            return null;
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in postBuild.SubstituteFrom ?? [])
        {
            if (source.Kind is not ("ConfigMap" or "Secret"))
            {
                throw new BuildFailedException($"spec.postBuild.substituteFrom: kind {source.Kind} is not supported; use ConfigMap or Secret");
            }

            var data = await ReadDataAsync(source.Kind, source.Name, cancellationToken);
            if (data is null)
            {
                if (source.Optional)
                {
                    continue;
                }

                throw new BuildFailedException($"spec.postBuild.substituteFrom: {source.Kind} {Namespace}/{source.Name} not found; create it or mark the entry optional: true");
            }

            foreach (var (key, value) in data)
            {
                variables[key] = Encoding.UTF8.GetString(value);
            }
        }

        foreach (var (key, value) in postBuild.Substitute ?? [])
        {
            variables[key] = value;
        }

        var invalid = variables.Keys.FirstOrDefault(k => !VariableSubstitution.IsValidName(k));
        return invalid is null ? variables : throw new BuildFailedException($"spec.postBuild: variable name '{invalid}' is invalid; use letters, digits and '_', not starting with a digit");
    }

    private async Task<IReadOnlyList<AgeIdentity>?> IdentitiesAsync(KustomizationSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Decryption is not { } decryption)
        {
            return null;
        }

        if (decryption.Provider != "sops")
        {
            throw new BuildFailedException($"spec.decryption.provider '{decryption.Provider}' is not supported; use sops");
        }

        if (decryption.SecretRef is not { } reference)
        {
            return [];
        }

        var data = await ReadDataAsync("Secret", reference.Name, cancellationToken)
            ?? throw new BuildFailedException($"spec.decryption.secretRef: Secret {Namespace}/{reference.Name} not found; create it with an entry ending in .agekey");
        return AgeIdentity.FromSecretData($"{Namespace}/{reference.Name}", data);
    }

    /// <summary>Reads a ConfigMap's or Secret's data (Secrets decoded) from the Kustomization's namespace; values never leave memory.</summary>
    private async Task<Dictionary<string, byte[]>?> ReadDataAsync(string kind, string name, CancellationToken cancellationToken)
    {
        var live = await environment.Cluster.TryGetAsync(new ObjectReference("v1", kind, Namespace, name), cancellationToken);
        if (live is null)
        {
            return null;
        }

        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (live["data"] is JsonObject entries)
        {
            foreach (var (key, value) in entries)
            {
                var text = value?.GetValue<string>() ?? string.Empty;
                data[key] = kind == "Secret" ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
            }
        }

        return data;
    }

    private async Task FailAsync(long generation, string revision, string reason, string message)
    {
        Logger.LogWarning("Kustomization {Resource} reconcile failed: {Reason}: {Message}", Key, reason, message);
        if (State.Failure is not { } last || last.Reason != reason || last.Message != message || last.Revision != revision || State.ObservedGeneration != generation)
        {
            var firstFailure = State.Failure is null;
            await RaiseAsync(new ApplyFailed(generation, revision, reason, message, DateTimeOffset.UtcNow));
            if (firstFailure && State.Spec is { RetryInterval: { } retry })
            {
                Schedule(Max(retry.Value, TimeSpan.FromSeconds(1)));
            }
        }
    }

    private static InventoryEntry ParseInventory(string stored)
    {
        var bar = stored.LastIndexOf('|');
        return new InventoryEntry(stored[..bar], stored[(bar + 1)..]);
    }

    private DeploymentStatus Status() => StatusOf(State);

    /// <summary>The status of <paramref name="state"/>, as the grain reports it (the API folds the same from the log).</summary>
    public static DeploymentStatus StatusOf(KustomizationState state)
    {
        if (!state.Exists)
        {
            return new DeploymentStatus(false, state.Generation, state.ObservedGeneration, false, [], null, null, []);
        }

        if (state.Spec!.ClusterSelector is not null && state.Failure is null && state.Fleet.Count > 0)
        {
            return FleetStatusOf(state);
        }

        var conditions = new List<Condition>();
        if (state.Failure is { } failure)
        {
            conditions.Add(new Condition("Ready", "False", failure.Reason, failure.Message, state.ObservedGeneration, state.ReadySince));
            conditions.Add(new Condition("Reconciling", "True", "ProgressingWithRetry", $"retrying every {(state.Spec!.RetryInterval ?? state.Spec.Interval)}", state.ObservedGeneration, state.ReadySince));
        }
        else if (state.LastAppliedRevision is { } revision)
        {
            conditions.Add(new Condition("Ready", "True", "ReconciliationSucceeded", $"Applied revision: {revision}", state.ObservedGeneration, state.ReadySince));
        }
        else
        {
            conditions.Add(new Condition("Ready", "Unknown", "Progressing", "reconciliation in progress", state.Generation, state.ReadySince));
            conditions.Add(new Condition("Reconciling", "True", "Progressing", "reconciliation in progress", state.Generation, state.ReadySince));
        }

        return new DeploymentStatus(true, state.Generation, state.ObservedGeneration, (state.Suspended || state.Spec?.Suspend == true), conditions,
            state.LastAppliedRevision, state.LastAttemptedRevision, state.Inventory.Select(i => i[..i.LastIndexOf('|')]).ToList());
    }

    /// <summary>A fleet's status: Ready when the current revision and generation are applied on every Cluster it reached.</summary>
    private static DeploymentStatus FleetStatusOf(KustomizationState state)
    {
        var clusters = state.Fleet.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f =>
        {
            var (cluster, deployment) = (f.Key, f.Value);
            var current = deployment.ObservedGeneration == state.Generation && deployment.LastAppliedRevision == state.LastAttemptedRevision;
            return deployment.Failure is { } failure
                ? new ClusterDeploymentStatus(cluster, false, failure.Reason, failure.Message, deployment.LastAppliedRevision, Ids(deployment.Inventory))
                : new ClusterDeploymentStatus(cluster, current, current ? "ReconciliationSucceeded" : "Progressing",
                    current ? $"Applied revision: {deployment.LastAppliedRevision}" : "reconciliation in progress", deployment.LastAppliedRevision, Ids(deployment.Inventory));
        }).ToList();
        var failed = clusters.Where(c => c.Reason is not ("ReconciliationSucceeded" or "Progressing")).ToList();
        var ready = clusters.All(c => c.Ready);
        var revisions = clusters.Select(c => c.LastAppliedRevision).Distinct().ToList();
        var conditions = new List<Condition>();
        if (failed.Count > 0)
        {
            var message = $"{failed.Count} of {clusters.Count} clusters failed: {string.Join("; ", failed.Select(c => $"{c.Cluster}: {c.Message}"))}";
            conditions.Add(new Condition("Ready", "False", failed[0].Reason, message, state.ObservedGeneration, state.ReadySince));
            conditions.Add(new Condition("Reconciling", "True", "ProgressingWithRetry", $"retrying every {state.Spec!.RetryInterval ?? state.Spec.Interval}", state.ObservedGeneration, state.ReadySince));
        }
        else if (ready)
        {
            conditions.Add(new Condition("Ready", "True", "ReconciliationSucceeded", $"Applied revision: {state.LastAttemptedRevision} to {clusters.Count} clusters", state.ObservedGeneration, state.ReadySince));
        }
        else
        {
            conditions.Add(new Condition("Ready", "Unknown", "Progressing", "reconciliation in progress", state.Generation, state.ReadySince));
            conditions.Add(new Condition("Reconciling", "True", "Progressing", "reconciliation in progress", state.Generation, state.ReadySince));
        }

        var inventory = clusters.SelectMany(c => c.Inventory.Select(id => $"{c.Cluster}|{id}")).ToList();
        return new DeploymentStatus(true, state.Generation, state.ObservedGeneration, (state.Suspended || state.Spec?.Suspend == true), conditions,
            revisions.Count == 1 ? revisions[0] : null, state.LastAttemptedRevision, inventory, clusters);

        static List<string> Ids(List<string> inventory) => inventory.Select(i => i[..i.LastIndexOf('|')]).ToList();
    }
}
