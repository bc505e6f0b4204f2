using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Contracts.Deployments;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Build.Sops;
using Granary.Grains.Build.Substitution;
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
    private const string SubstituteKey = "kustomize.toolkit.fluxcd.io/substitute";
    private bool _subscribed;
    private string? _renderKey;
    private byte[]? _rendered;

    /// <inheritdoc />
    protected override KustomizationState Apply(KustomizationState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    protected override string KindName => "Kustomization";

    /// <inheritdoc />
    protected override TimeSpan? ReconcilePeriod => State.Spec is not { } spec ? null
        : State.Failure is null ? spec.Interval.Value : (spec.RetryInterval ?? spec.Interval).Value;

    /// <inheritdoc />
    protected override bool IsSuspended => State.Suspended || State.Spec?.Suspend == true;

    /// <inheritdoc />
    public async Task<DeploymentStatus> ApplyAsync(Kustomization resource)
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
        }

        return await ReconcileAsync();
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
        RequireExists();
        await RaiseAsync(new ReconcileRequested(withSource));
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
    public async Task DeleteAsync()
    {
        if (!State.Exists)
        {
            return;
        }

        if (State.Spec!.Prune && State.Inventory.Count > 0)
        {
            // Applying nothing over the last inventory prunes it all, with the engine's rules (prune-disabled, ownership).
            var previous = new Inventory(State.Inventory.Select(ParseInventory).ToList());
            var result = await new ApplyEngine(environment.ClientFor(Namespace, State.Spec.ServiceAccountName)).ApplyAsync(Owner, [], previous, new ApplyOptions { Prune = true }, CancellationToken.None);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Kustomization {Key} could not prune what it applied: {result.Message}; fix the cluster access or set prune: false, then delete again.");
            }
        }

        await RaiseAsync(new Deleted());
        await StopReconcilingAsync();
    }

    /// <inheritdoc />
    public Task<DeploymentStatus> GetStatusAsync() => Task.FromResult(Status());

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

    /// <summary>One reconcile: source → dependencies → build → apply → record.</summary>
    protected override async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        if (!State.Exists || State.Spec is not { } spec || IsSuspended)
        {
            return;
        }

        var generation = State.Generation;
        var wasFailing = State.Failure is not null;
        if (spec.KubeConfig is not null || spec.ClusterRef is not null)
        {
            await FailAsync(generation, State.LastAttemptedRevision ?? string.Empty, "ReconciliationFailed",
                $"spec.{(spec.KubeConfig is not null ? "kubeConfig" : "clusterRef")}: applying to another cluster is not supported yet (it arrives with the Cluster kind); remove it to apply to the silo's cluster");
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

        var options = new ApplyOptions
        {
            Prune = spec.Prune,
            Force = spec.Force,
            Wait = spec.Wait,
            Timeout = (spec.Timeout ?? spec.Interval).Value,
            HealthChecks = spec.HealthChecks?.Select(h => new ObjectReference(h.ApiVersion ?? "v1", h.Kind, h.Namespace ?? Namespace, h.Name)).ToList() ?? [],
            DefaultNamespace = spec.TargetNamespace ?? Namespace,
        };
        var previous = new Inventory(State.Inventory.Select(ParseInventory).ToList());
        var result = await new ApplyEngine(environment.ClientFor(Namespace, spec.ServiceAccountName)).ApplyAsync(Owner, objects, previous, options, cancellationToken);
        if (!result.Succeeded)
        {
            await FailAsync(generation, artifact.Revision, result.Reason, result.Message);
            return;
        }

        var changes = result.ChangeSet.Changes
            .Where(c => c.Action is ChangeAction.Created or ChangeAction.Configured or ChangeAction.Deleted)
            .ToList();
        var inventory = result.Inventory.Entries.Select(e => $"{e.Id}|{e.Version}").ToList();
        var newRevision = State.LastAppliedRevision != artifact.Revision || State.ObservedGeneration != generation;
        if (changes.Count > 0 || wasFailing || newRevision || !inventory.SequenceEqual(State.Inventory))
        {
            // One atomic append: the change set, and what it means (prune, drift correction, health).
            var events = new List<object> { new Applied(generation, artifact.Revision, changes.Select(c => c.ToString()).ToList(), inventory, DateTimeOffset.UtcNow) };
            var deleted = changes.Where(c => c.Action == ChangeAction.Deleted).Select(c => c.Object.ToString()).ToList();
            if (deleted.Count > 0)
            {
                events.Add(new Pruned(artifact.Revision, deleted));
            }

            var drifted = changes.Where(c => c.Action == ChangeAction.Configured).Select(c => c.Object.ToString()).ToList();
            if (!newRevision && drifted.Count > 0)
            {
                events.Add(new DriftCorrected(artifact.Revision, drifted));
            }

            if (newRevision && result.Health is { Healthy: true } health)
            {
                events.Add(new HealthChecked(artifact.Revision, health.Message));
            }

            await RaiseAsync(events, cancellationToken);
            Logger.LogInformation("Kustomization {Resource} applied revision {Revision}: {Changes} changes", Key, artifact.Revision, changes.Count);
            foreach (var dependent in State.Dependents)
            {
                await GrainFactory.Get<IKustomizationGrain>(dependent).DependencyReadyAsync(Key);
            }
        }

        if (wasFailing)
        {
            Schedule(Max(spec.Interval.Value, TimeSpan.FromSeconds(1)));
        }
    }

    private async Task<SourceArtifact?> GetSourceArtifactAsync(KustomizationSpec spec)
    {
        var reference = spec.SourceRef;
        if (reference.Kind != "GitRepository")
        {
            await FailAsync(State.Generation, State.LastAttemptedRevision ?? string.Empty, "ArtifactFailed", $"spec.sourceRef.kind {reference.Kind} is not supported yet; use GitRepository");
            return null;
        }

        var sourceKey = $"{reference.Namespace ?? Namespace}/{reference.Name}";
        var source = GrainFactory.Get<IGitRepositoryGrain>(sourceKey);
        if (!_subscribed)
        {
            await source.SubscribeAsync(GrainId);
            _subscribed = true;
        }

        var status = await source.GetStatusAsync();
        if (status.Artifact is null)
        {
            var why = status.Exists ? status.Conditions.FirstOrDefault(c => c.Type == "Ready")?.Message ?? "no artifact yet" : "it does not exist";
            await FailAsync(State.Generation, State.LastAttemptedRevision ?? string.Empty, "ArtifactFailed", $"Source GitRepository {sourceKey} has no artifact: {why}");
            return null;
        }

        return status.Artifact;
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
            await FailAsync(State.Generation, revision, "DependencyNotReady", $"dependency cycle: {string.Join(" -> ", cycle)}; remove one of the dependsOn entries");
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

    private async Task<List<string>?> FindCycleAsync()
    {
        var path = new List<string> { Key };
        var visited = new HashSet<string>();
        return await WalkAsync(Key, path, visited, depth: 0);
    }

    private async Task<List<string>?> WalkAsync(string key, List<string> path, HashSet<string> visited, int depth)
    {
        if (depth > 32 || !visited.Add(key))
        {
            return null;
        }

        var dependencies = key == Key ? await GetDependenciesAsync() : await GrainFactory.Get<IKustomizationGrain>(key).GetDependenciesAsync();
        foreach (var next in dependencies)
        {
            if (next == Key)
            {
                return [.. path, next];
            }

            path.Add(next);
            if (await WalkAsync(next, path, visited, depth + 1) is { } cycle)
            {
                return cycle;
            }

            path.RemoveAt(path.Count - 1);
        }

        return null;
    }

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

    private async Task<IReadOnlyList<JsonObject>> RenderAsync(KustomizationSpec spec, SourceArtifact artifact, Dictionary<string, string>? variables, CancellationToken cancellationToken)
    {
        var substitute = variables is null ? null : Substitution(variables);
        if (spec.Decryption is null)
        {
            var files = await environment.Artifacts.GetAsync(artifact.Digest, token => LoadArtifactAsync(artifact, token), cancellationToken);
            if (environment.Builder.TryBuildInMemory(files, spec, substitute) is { } rendered)
            {
                return rendered;
            }
        }

        var bytes = await LoadArtifactAsync(artifact, cancellationToken);
        var workspace = Path.Combine(environment.ScratchDirectory, "build-" + Path.GetRandomFileName());
        try
        {
            await environment.Extractor.ExtractAsync(bytes, workspace, cancellationToken);
            var identities = await IdentitiesAsync(spec, cancellationToken);
            using var keys = new DisposableList(identities);
            var decryptor = identities is null ? null : new SopsDecryptor(identities);
            await DecryptFilesAsync(workspace, decryptor, cancellationToken);
            return await environment.Builder.BuildAsync(workspace, spec, cancellationToken, substitute);
        }
        finally
        {
            if (Directory.Exists(workspace))
            {
                Directory.Delete(workspace, recursive: true);
            }
        }
    }

    private async Task<byte[]> LoadArtifactAsync(SourceArtifact artifact, CancellationToken cancellationToken) =>
        await Blobs.GetAsync(artifact.Digest, cancellationToken)
            ?? throw new BuildFailedException($"artifact {artifact.Digest} of revision {artifact.Revision} is missing from the blob store");

    /// <summary>Flux's post-build substitution of one object's YAML, unless the object opts out.</summary>
    private static Func<string, IReadOnlyList<JsonObject>, string> Substitution(Dictionary<string, string> variables) => (text, parsed) =>
    {
        if (parsed.Any(o => KubeMetadata.Annotation(o, SubstituteKey) == "disabled" || KubeMetadata.Label(o, SubstituteKey) == "disabled"))
        {
            return text;
        }

        try
        {
            return VariableSubstitution.Substitute(text, variables);
        }
        catch (SubstitutionException) when (parsed.Any(o => KubeMetadata.String(o["kind"]) == "Secret"))
        {
            // The message quotes the text around the bad expression: never for a (decrypted) Secret.
            throw new BuildFailedException($"{string.Join(", ", parsed.Select(o => ObjectReference.Of(o)))}: post-build substitution failed on a malformed ${{...}} expression; fix it, or mark the object kustomize.toolkit.fluxcd.io/substitute: disabled");
        }
    };

    /// <summary>
    /// Decrypts SOPS-encrypted manifest files in place before kustomize loads them, so kustomize's transforms
    /// (namespace, labels) never touch the encrypted form and its MAC still verifies. The files are rewritten
    /// owner-only and the whole workspace is deleted after the build.
    /// </summary>
    private static async Task DecryptFilesAsync(string workspace, SopsDecryptor? decryptor, CancellationToken cancellationToken)
    {
        foreach (var file in Directory.EnumerateFiles(workspace, "*", SearchOption.AllDirectories))
        {
            if (Path.GetExtension(file) is not (".yaml" or ".yml" or ".json"))
            {
                continue;
            }

            var text = await File.ReadAllTextAsync(file, cancellationToken);
            if (!text.Contains("sops", StringComparison.Ordinal))
            {
                continue;
            }

            IReadOnlyList<JsonNode?> documents;
            try
            {
                documents = YamlToJson.ParseDocuments(text);
            }
            catch (YamlFormatException)
            {
                continue;
            }

            if (!documents.Any(d => d is JsonObject o && SopsDecryptor.IsEncrypted(o)))
            {
                continue;
            }

            var decrypted = documents.Select(d => d is JsonObject o && SopsDecryptor.IsEncrypted(o)
                ? (decryptor ?? throw new BuildFailedException($"{ObjectReference.Of(o)} is SOPS-encrypted but spec.decryption is not set; add decryption with provider sops and a secretRef holding the age key")).Decrypt(o).ToJsonString()
                : d?.ToJsonString() ?? "null");
            await File.WriteAllTextAsync(file, string.Join("\n---\n", decrypted), cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

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

    private DeploymentStatus Status()
    {
        if (!State.Exists)
        {
            return new DeploymentStatus(false, State.Generation, State.ObservedGeneration, false, [], null, null, []);
        }

        var conditions = new List<Condition>();
        if (State.Failure is { } failure)
        {
            conditions.Add(new Condition("Ready", "False", failure.Reason, failure.Message, State.ObservedGeneration, State.ReadySince));
            conditions.Add(new Condition("Reconciling", "True", "ProgressingWithRetry", $"retrying every {(State.Spec!.RetryInterval ?? State.Spec.Interval)}", State.ObservedGeneration, State.ReadySince));
        }
        else if (State.LastAppliedRevision is { } revision)
        {
            conditions.Add(new Condition("Ready", "True", "ReconciliationSucceeded", $"Applied revision: {revision}", State.ObservedGeneration, State.ReadySince));
        }
        else
        {
            conditions.Add(new Condition("Ready", "Unknown", "Progressing", "reconciliation in progress", State.Generation, State.ReadySince));
            conditions.Add(new Condition("Reconciling", "True", "Progressing", "reconciliation in progress", State.Generation, State.ReadySince));
        }

        return new DeploymentStatus(true, State.Generation, State.ObservedGeneration, IsSuspended, conditions,
            State.LastAppliedRevision, State.LastAttemptedRevision, State.Inventory.Select(i => i[..i.LastIndexOf('|')]).ToList());
    }

    /// <summary>Disposes the age identities (zeroing their keys) when the build is done.</summary>
    private sealed class DisposableList(IReadOnlyList<AgeIdentity>? identities) : IDisposable
    {
        public void Dispose()
        {
            foreach (var identity in identities ?? [])
            {
                identity.Dispose();
            }
        }
    }
}
