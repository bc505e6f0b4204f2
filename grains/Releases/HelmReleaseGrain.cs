using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Contracts.Clusters;
using Granary.Contracts.Deployments;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Releases;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.EventStore.Blobs;
using Granary.Grains.Clusters;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Drift;
using Granary.Grains.Kubernetes.Objects;
using Granary.Grains.Resources;
using Granary.Grains.Sources.Helm;
using Microsoft.Extensions.Logging;
using KubeMetadata = Granary.Grains.Kubernetes.Objects.ObjectMetadata;

namespace Granary.Grains.Releases;

/// <summary>
/// A HelmRelease. Each reconcile is a straight line, as in Flux's helm-controller: check the spec, wait for dependencies,
/// get the chart, compose values, decide the action (install, upgrade, or none), render, apply, record — and on failure
/// remediate (uninstall a failed install; roll back or uninstall a failed upgrade) until the retries run out. A reconcile
/// that changes nothing appends nothing; the release history is the event log.
/// </summary>
public sealed class HelmReleaseGrain(HelmReleaseEnvironment environment) : ResourceGrain<HelmReleaseState>, IHelmReleaseGrain
{
    private const string LabelGroup = "helm.toolkit.fluxcd.io";
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DependencyRetry = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions ValuesJson = new() { WriteIndented = false };

    // The last render (by its inputs) and the objects of recent releases, so identical inputs and rollbacks need no helm run.
    private string? _renderKey;
    private List<JsonObject>? _rendered;
    private readonly Dictionary<int, List<JsonObject>> _releaseObjects = [];
    private string? _subscribedTo;
    private ChartPuller? _puller;

    /// <inheritdoc />
    protected override HelmReleaseState Apply(HelmReleaseState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    protected override string KindName => "HelmRelease";

    /// <inheritdoc />
    protected override TimeSpan? ReconcilePeriod => State.Spec?.Interval.Value;

    /// <inheritdoc />
    protected override bool IsSuspended => State.Suspended || State.Spec?.Suspend == true;

    private ResourceOwner Owner => new(Name, Namespace, LabelGroup);

    private string TargetNamespace => TargetNamespaceOf(State, Key);

    /// <summary>Flux's default: <c>[targetNamespace-]name</c>.</summary>
    private string ReleaseName => ReleaseNameOf(State, Key);

    private static string TargetNamespaceOf(HelmReleaseState state, string key) =>
        state.Spec?.TargetNamespace is { Length: > 0 } target ? target : key[..key.IndexOf('/')];

    private static string ReleaseNameOf(HelmReleaseState state, string key)
    {
        var name = key[(key.IndexOf('/') + 1)..];
        return state.Spec?.ReleaseName is { Length: > 0 } release ? release
            : state.Spec?.TargetNamespace is { Length: > 0 } target ? $"{target}-{name}" : name;
    }

    /// <inheritdoc />
    public async Task<HelmReleaseStatus> ApplyAsync(HelmRelease resource)
    {
        // This call reconciles at once; the timer comes back one interval later (a second pass now would retry a failure early).
        await DeclareAsync(resource, resource.Spec.Interval.Value);
        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public Task<long> DeclareAsync(HelmRelease resource) => DeclareAsync(resource, TimeSpan.Zero);

    private async Task<long> DeclareAsync(HelmRelease resource, TimeSpan firstReconcile)
    {
        if (resource.Key != Key)
        {
            throw new ArgumentException($"HelmRelease {resource.Key} was sent to grain {Key}; apply each resource to the grain of its own namespace/name.");
        }

        if (SpecChanged(State.Spec, resource.Spec, resource.Metadata.Labels))
        {
            await RaiseAsync(new HelmReleaseSpecApplied(State.Generation + 1, resource.Spec, resource.Metadata.Labels));
            await KeepAliveAsync(resource.Spec.Interval.Value);
            Schedule(firstReconcile);
        }

        return State.Generation;
    }

    /// <inheritdoc />
    public async Task<HelmReleaseStatus> ReconcileAsync()
    {
        await ReconcileOnceAsync(CancellationToken.None);
        return Status();
    }

    /// <inheritdoc />
    public async Task<HelmReleaseStatus> RequestReconcileAsync(bool withSource)
    {
        await RecordReconcileRequestAsync(withSource);
        if (withSource && State.Spec!.ChartRef is { } reference)
        {
            _ = await GrainFactory.Get<IChartSource>(ChartSourceId(reference)).RequestReconcileAsync();
        }
        else if (withSource && SourceKey(State.Spec!) is { } source)
        {
            _ = State.Spec!.Chart!.Spec.SourceRef.Kind == "GitRepository"
                ? await GrainFactory.Get<IGitRepositoryGrain>(source).RequestReconcileAsync()
                : await GrainFactory.Get<IHelmRepositoryGrain>(source).RequestReconcileAsync();
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

        foreach (var (cluster, member) in State.Members.ToList())
        {
            await GrainFactory.Get<IHelmReleaseGrain>(member).DeleteAsync();
            await RaiseAsync(new HelmFleetMemberRemoved(cluster, member));
        }

        if (State.Inventory.Count > 0)
        {
            _target = await TargetAsync(State.Spec!);
            var removed = await UninstallAsync(State.Spec!, CancellationToken.None);
            if (removed is null)
            {
                throw new InvalidOperationException($"HelmRelease {Key} could not uninstall its objects; fix the cluster access and delete again.");
            }

            await RaiseAsync(new Uninstalled(State.Current ?? State.NextRelease - 1, "the HelmRelease was deleted", removed, DateTimeOffset.UtcNow));
        }

        await RecordDeletedAsync();
    }

    /// <inheritdoc />
    public Task<HelmReleaseStatus> GetStatusAsync() => State.Spec?.ClusterSelector is not null && State.Failure is null && State.Members.Count > 0
        ? FleetStatusAsync()
        : Task.FromResult(Status());

    /// <inheritdoc />
    public Task FleetChangedAsync(FleetChange change) => ReconcileOnceAsync(CancellationToken.None);

    /// <inheritdoc />
    public Task<IReadOnlyList<HelmReleaseRevision>> GetHistoryAsync() => Task.FromResult<IReadOnlyList<HelmReleaseRevision>>(State.Releases
        .Select(r => new HelmReleaseRevision(r.Number, r.Updated, r.Status, $"{r.Content.Chart}-{r.Content.ChartVersion}", r.Content.AppVersion, r.Description))
        .ToList());

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetDependenciesAsync() =>
        Task.FromResult<IReadOnlyList<string>>(State.Spec?.DependsOn?.Select(d => $"{d.Namespace ?? Namespace}/{d.Name}").ToList() ?? []);

    /// <inheritdoc />
    public async Task<HelmReleaseStatus> AddDependentAsync(string dependentKey)
    {
        if (!State.Dependents.Contains(dependentKey))
        {
            await RaiseAsync(new HelmDependentAdded(dependentKey));
        }

        return Status();
    }

    /// <summary>One reconcile: spec → dependencies → chart → values → action → render → apply → record (→ remediate).</summary>
    protected override async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        if (!State.Exists || State.Spec is not { } spec || IsSuspended)
        {
            return;
        }

        var generation = State.Generation;
        if (SpecProblem(spec) is { } problem)
        {
            await FailAsync(generation, problem.Reason, problem.Message);
            return;
        }

        if (spec.ClusterSelector is { } selector)
        {
            await ReconcileFleetAsync(spec, selector, generation);
            return;
        }

        try
        {
            _target = await TargetAsync(spec);
        }
        catch (ClusterConnectionException exception)
        {
            await FailAsync(generation, "ReconciliationFailed", exception.Message);
            return;
        }

        if (!await DependenciesReadyAsync(spec))
        {
            return;
        }

        HelmChartArtifact chart;
        ChartValuesFiles valuesFiles;
        try
        {
            (chart, valuesFiles) = await GetChartAsync(spec, cancellationToken);
        }
        catch (HelmChartException exception)
        {
            var source = $"{SourceKind(spec)} {SourceKey(spec)}";
            await FailAsync(generation, "ArtifactFailed", exception.Message.Contains(source, StringComparison.Ordinal) ? exception.Message : $"{source}: {exception.Message}");
            return;
        }

        ComposedValues values;
        try
        {
            values = await ComposeValuesAsync(spec, chart, valuesFiles, cancellationToken);
        }
        catch (HelmValuesException exception)
        {
            await FailAsync(generation, "InitFailed", exception.Message);
            return;
        }

        var inputs = $"{generation}|{chart.Digest}|{values.Digest}|{ReleaseName}|{TargetNamespace}";
        if (State.Exhausted?.Inputs == inputs)
        {
            return; // Retries ran out for exactly these inputs: wait for a new chart, new values or a spec change.
        }

        var current = State.CurrentRelease;
        var action = current is null ? "install"
            : current.Content.ChartDigest != chart.Digest || current.Content.ValuesDigest != values.Digest || current.Content.Release != $"{TargetNamespace}/{ReleaseName}" ? "upgrade"
            : null;

        HelmRenderResult rendered;
        try
        {
            rendered = await RenderAsync(spec, chart, values, cancellationToken);
        }
        catch (HelmRenderException exception)
        {
            await FailAsync(generation, action == "install" ? "InstallFailed" : "UpgradeFailed", values.Scrub(exception.Message));
            return;
        }

        try
        {
            if (action is null)
            {
                await KeepInSyncAsync(spec, generation, current!, rendered.Objects, cancellationToken);
                return;
            }

            await RunActionAsync(spec, generation, action, inputs, chart, values, rendered.Objects, cancellationToken);
        }
        catch (KubernetesException exception)
        {
            // The engine reports apply failures as results; this is the cluster failing outside them (discovery, namespace creation).
            await FailAsync(generation, "ReconciliationFailed", values.Scrub(exception.Message));
        }
    }

    /// <summary>Install or upgrade; on failure remediate as the spec says and count the failure.</summary>
    private async Task RunActionAsync(HelmReleaseSpec spec, long generation, string action, string inputs, HelmChartArtifact chart, ComposedValues values,
        IReadOnlyList<JsonObject> objects, CancellationToken cancellationToken)
    {
        var options = new ApplyOptions
        {
            Prune = true,
            Force = action == "upgrade" && spec.Upgrade?.Force == true,
            Wait = action == "install" ? spec.Install?.DisableWait != true : spec.Upgrade?.DisableWait != true,
            Timeout = ((action == "install" ? spec.Install?.Timeout : spec.Upgrade?.Timeout) ?? spec.Timeout)?.Value ?? DefaultTimeout,
            DefaultNamespace = TargetNamespace,
        };
        if (action == "install" && spec.Install?.CreateNamespace == true)
        {
            await CreateNamespaceAsync(cancellationToken);
        }

        if (await ApplyCrdsAsync(spec, action, chart, cancellationToken) is { } crdFailure)
        {
            await FailAsync(generation, action == "install" ? "InstallFailed" : "UpgradeFailed", crdFailure);
            return;
        }

        var manifest = RenderedManifest.Serialize(objects);
        var manifestDigest = await Blobs.PutAsync(manifest, cancellationToken);
        var result = await Engine(spec).ApplyAsync(Owner, objects, PreviousInventory(), options, cancellationToken);
        var number = State.NextRelease;
        var content = new ReleaseContent(chart.Chart, chart.Version, chart.AppVersion, chart.Digest, values.Digest, manifestDigest,
            result.Inventory.Entries.Select(e => $"{e.Id}|{e.Version}").ToList(), $"{TargetNamespace}/{ReleaseName}");
        var at = DateTimeOffset.UtcNow;
        if (result.Succeeded)
        {
            var changes = Changes(result);
            await RaiseAsync(action == "install"
                ? new ReleaseInstalled(generation, number, content, changes, at)
                : new ReleaseUpgraded(generation, number, content, changes, at));
            Remember(number, objects);
            Logger.LogInformation("HelmRelease {Resource} {Action} release {Release}: chart {Chart} {Version}", Key, action, number, chart.Chart, chart.Version);
            await TellDependentsAsync();
            return;
        }

        var reason = action == "install" ? "InstallFailed" : "UpgradeFailed";
        var message = values.Scrub(result.Message);
        await RaiseAsync(new UpgradeFailed(generation, number, action, content, inputs, reason, message, at));
        Logger.LogWarning("HelmRelease {Resource} {Action} of release {Release} failed: {Message}", Key, action, number, message);
        await RemediateAsync(spec, generation, action, inputs, cancellationToken);
    }

    /// <summary>Flux's remediation: retries count failures; each failure is remediated unless it is the last and remediateLastFailure is off.</summary>
    private async Task RemediateAsync(HelmReleaseSpec spec, long generation, string action, string inputs, CancellationToken cancellationToken)
    {
        var (retries, remediateLast, strategy) = action == "install"
            ? (spec.Install?.Remediation?.Retries ?? 0, spec.Install?.Remediation?.RemediateLastFailure, "uninstall")
            : (spec.Upgrade?.Remediation?.Retries ?? 0, spec.Upgrade?.Remediation?.RemediateLastFailure, spec.Upgrade?.Remediation?.Strategy ?? "rollback");
        var failures = action == "install" ? State.InstallFailures : State.UpgradeFailures;
        var exhausted = failures > retries;
        if (!exhausted || (remediateLast ?? retries > 0))
        {
            if (strategy == "rollback" && State.Releases.LastOrDefault(r => r.Number == State.Current) is { } target)
            {
                await RollbackAsync(spec, generation, target, cancellationToken);
            }
            else if (State.Inventory.Count > 0 || State.Current is not null)
            {
                var removed = await UninstallAsync(spec, cancellationToken);
                if (removed is not null)
                {
                    await RaiseAsync(new Uninstalled(State.NextRelease - 1, $"remediation of a failed {action}", removed, DateTimeOffset.UtcNow));
                }
            }
        }

        if (exhausted)
        {
            await RaiseAsync(new RemediationExhausted(generation, action, failures, inputs, DateTimeOffset.UtcNow));
        }
    }

    /// <summary>
    /// The chart's <c>crds/</c> as Helm treats them: applied before the release by the action's policy (install: Create, upgrade:
    /// Skip by default; Create only adds missing ones, CreateReplace updates too), and never part of the inventory, so neither an
    /// upgrade that skips them nor an uninstall deletes them (and every custom resource with them). Returns a failure message.
    /// </summary>
    private async Task<string?> ApplyCrdsAsync(HelmReleaseSpec spec, string action, HelmChartArtifact chart, CancellationToken cancellationToken)
    {
        var policy = action == "install" ? spec.Install?.Crds ?? (spec.Install?.SkipCRDs == true ? "Skip" : "Create") : spec.Upgrade?.Crds ?? "Skip";
        if (policy == "Skip")
        {
            return null;
        }

        var archive = await Blobs.GetAsync(chart.Digest, cancellationToken);
        IReadOnlyList<JsonObject> crds;
        try
        {
            crds = await ChartCrds.ReadAsync(archive ?? [], cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidDataException or HelmRenderException)
        {
            return $"the chart's crds/ cannot be read: {exception.Message}";
        }

        var client = Target.Apply;
        var wanted = new List<JsonObject>();
        foreach (var crd in crds)
        {
            if (policy == "CreateReplace" || await client.TryGetAsync(ObjectReference.Of(crd), cancellationToken) is null)
            {
                wanted.Add(crd);
            }
        }

        if (wanted.Count == 0)
        {
            return null;
        }

        var options = new ApplyOptions { Prune = false, Timeout = spec.Timeout?.Value ?? DefaultTimeout };
        var result = await Engine(spec).ApplyAsync(Owner, wanted, Inventory.Empty, options, cancellationToken);
        return result.Succeeded ? null : $"applying the chart's CRDs failed: {result.Message}";
    }

    /// <summary>Rolls back to <paramref name="target"/> by re-applying its objects (recent ones from memory, else rendered again or read back from the blob store).</summary>
    private async Task RollbackAsync(HelmReleaseSpec spec, long generation, ReleaseRecord target, CancellationToken cancellationToken)
    {
        var (objects, keptSecrets) = await ObjectsOfAsync(target, cancellationToken);
        var previous = PreviousInventory();
        var kept = previous.Entries.Where(e => keptSecrets.Contains(e.Id)).ToList();
        var options = new ApplyOptions
        {
            Prune = true,
            Force = spec.Rollback?.Force == true,
            Wait = spec.Rollback?.DisableWait != true,
            Timeout = (spec.Rollback?.Timeout ?? spec.Timeout)?.Value ?? DefaultTimeout,
            DefaultNamespace = TargetNamespace,
        };
        var result = await Engine(spec).ApplyAsync(Owner, objects, new Inventory(previous.Entries.Except(kept).ToList()), options, cancellationToken);
        if (!result.Succeeded)
        {
            await FailAsync(generation, "RollbackFailed", $"rollback to release {target.Number} failed: {result.Message}");
            return;
        }

        var number = State.NextRelease;
        var inventory = result.Inventory.Entries.Concat(kept).Select(e => $"{e.Id}|{e.Version}").Distinct().ToList();
        await RaiseAsync(new RolledBack(generation, number, target.Number, inventory, Changes(result), DateTimeOffset.UtcNow));
        Remember(number, objects);
        Logger.LogInformation("HelmRelease {Resource} rolled back to release {Target} as release {Release}", Key, target.Number, number);
    }

    /// <summary>Nothing to install or upgrade: observe the generation, and check for drift as <c>spec.driftDetection</c> says.</summary>
    private async Task KeepInSyncAsync(HelmReleaseSpec spec, long generation, ReleaseRecord current, IReadOnlyList<JsonObject> objects, CancellationToken cancellationToken)
    {
        switch (spec.DriftDetection?.Mode ?? "disabled")
        {
            case "enabled":
                var options = new ApplyOptions { Prune = true, DefaultNamespace = TargetNamespace, Timeout = spec.Timeout?.Value ?? DefaultTimeout };
                var result = await Engine(spec).ApplyAsync(Owner, objects, PreviousInventory(), options, cancellationToken);
                if (!result.Succeeded)
                {
                    await FailAsync(generation, "DriftCorrectionFailed", result.Message);
                    return;
                }

                var corrected = result.ChangeSet.Changes.Where(c => c.Action is ChangeAction.Created or ChangeAction.Configured).Select(c => c.Object.ToString()).ToList();
                if (corrected.Count > 0)
                {
                    await RaiseAsync(new HelmDriftDetected(current.Number, corrected, Corrected: true, DateTimeOffset.UtcNow));
                    Logger.LogInformation("HelmRelease {Resource} corrected drift of {Objects}", Key, string.Join(", ", corrected));
                }

                break;
            case "warn":
                var client = Target.Apply;
                var drifts = await new DriftDetector(client).DetectAsync(Owner, await InTargetNamespaceAsync(client, objects, cancellationToken), cancellationToken);
                var drifted = drifts.Select(d => d.ToString()).ToList();
                if (!drifted.SequenceEqual(State.Drifted))
                {
                    await RaiseAsync(new HelmDriftDetected(current.Number, drifted, Corrected: false, DateTimeOffset.UtcNow));
                }

                break;
        }

        if (State.ObservedGeneration != generation || State.Failure is not null || State.ActionFailure is not null)
        {
            await RaiseAsync(new HelmReleaseObserved(generation, DateTimeOffset.UtcNow));
        }
    }

    /// <summary>Copies of <paramref name="objects"/> with the target namespace on namespaced objects that name none, as the apply puts them.</summary>
    private async Task<List<JsonObject>> InTargetNamespaceAsync(KubernetesClient client, IReadOnlyList<JsonObject> objects, CancellationToken cancellationToken)
    {
        var placed = new List<JsonObject>();
        foreach (var obj in objects)
        {
            var copy = obj.DeepClone().AsObject();
            var reference = ObjectReference.Of(copy);
            if (reference.Namespace.Length == 0 && (await client.Mapper.MapAsync(reference.ApiVersion, reference.Kind, cancellationToken, reference)).Namespaced)
            {
                copy["metadata"]!["namespace"] = TargetNamespace;
            }

            placed.Add(copy);
        }

        return placed;
    }

    /// <summary>
    /// The chart of <c>chart.spec</c> (from a HelmRepository, or packed from a GitRepository's artifact), or the artifact of the
    /// <c>chartRef</c>'s HelmChart or OCIRepository; subscribing once so a new index, commit or artifact reconciles this release.
    /// </summary>
    private async Task<(HelmChartArtifact Chart, ChartValuesFiles ValuesFiles)> GetChartAsync(HelmReleaseSpec spec, CancellationToken cancellationToken)
    {
        if (spec.ChartRef is { } reference)
        {
            return await GetReferencedChartAsync(reference);
        }

        var template = spec.Chart!.Spec;
        _puller ??= new ChartPuller(GrainFactory, Blobs, GrainId);
        var request = new ChartRequest(template.Chart, template.Version, template.SourceRef.Kind, SourceKey(spec)!, template.ReconcileStrategy, "spec.chart.spec.");
        var pulled = await _puller.PullAsync(request, cancellationToken);
        return (pulled.Chart, new ChartValuesFiles(template.ValuesFiles ?? [], template.IgnoreMissingValuesFiles, "spec.chart.spec.valuesFiles"));
    }

    /// <summary>The chart stored by the HelmChart or OCIRepository of <c>spec.chartRef</c>, which must exist and be Ready.</summary>
    private async Task<(HelmChartArtifact Chart, ChartValuesFiles ValuesFiles)> GetReferencedChartAsync(CrossNamespaceObjectReference reference)
    {
        var id = ChartSourceId(reference);
        var source = GrainFactory.Get<IChartSource>(id);
        var display = $"{reference.Kind} {id.Key}";
        if (_subscribedTo != $"{reference.Kind}/{id.Key}")
        {
            await source.SubscribeAsync(GrainId);
            _subscribedTo = $"{reference.Kind}/{id.Key}";
        }

        ChartSourceArtifact found;
        try
        {
            found = await source.GetChartAsync();
        }
        catch (HelmChartException exception)
        {
            throw new HelmChartException(exception.Reason, $"spec.chartRef: {exception.Message}");
        }

        var ready = found.Status.Conditions.FirstOrDefault(c => c.Type == "Ready");
        if (!found.Status.Exists)
        {
            throw new HelmChartException("ArtifactFailed", $"spec.chartRef: {display} does not exist; apply it first, or fix spec.chartRef name, namespace and kind");
        }

        if (!found.Status.IsReady || found.Chart is not { } chart)
        {
            var why = found.Status.Suspended && found.Chart is null ? "it is suspended and has no artifact yet; resume it" : ready?.Message ?? "it has no artifact yet";
            throw new HelmChartException("ArtifactFailed", $"spec.chartRef: {display} is not ready: {why}");
        }

        return (chart, new ChartValuesFiles(found.ValuesFiles, found.IgnoreMissingValuesFiles, $"{display} spec.valuesFiles"));
    }

    /// <summary>The grain of a <c>chartRef</c> (its namespace defaults to the release's).</summary>
    private GrainId ChartSourceId(CrossNamespaceObjectReference reference) =>
        new(reference.Kind == "HelmChart" ? "helmchart" : "ocirepository", $"{reference.Namespace ?? Namespace}/{reference.Name}");

    /// <summary>
    /// Values in Flux's order: the chart's <c>valuesFiles</c>, then each <c>valuesFrom</c> in turn (merged at the root, or put at
    /// <c>targetPath</c>), then <c>spec.values</c>. Values read from Secrets are remembered only to scrub them from messages.
    /// </summary>
    private async Task<ComposedValues> ComposeValuesAsync(HelmReleaseSpec spec, HelmChartArtifact chart, ChartValuesFiles valuesFiles, CancellationToken cancellationToken)
    {
        var merged = new JsonObject();
        var secretTexts = new List<string>();
        if (valuesFiles.Files is { Count: > 0 } files)
        {
            var archive = await Blobs.GetAsync(chart.Digest, cancellationToken)
                ?? throw new HelmValuesException($"the chart {chart.Chart} {chart.Version} ({chart.Digest}) is missing from the blob store; request a reconcile with the source");
            foreach (var file in files)
            {
                string? text;
                try
                {
                    text = await ChartArchive.ReadFileAsync(archive, file, cancellationToken);
                }
                catch (InvalidDataException exception)
                {
                    throw new HelmValuesException($"{valuesFiles.Field}: {exception.Message}");
                }

                if (text is null)
                {
                    if (valuesFiles.IgnoreMissing)
                    {
                        continue;
                    }

                    throw new HelmValuesException($"{valuesFiles.Field}: '{file}' is not in chart {chart.Chart} {chart.Version}; fix the path or set ignoreMissingValuesFiles: true");
                }

                HelmValues.Merge(merged, ParseValues(text, $"{valuesFiles.Field}: '{file}' of chart {chart.Chart} {chart.Version}", secret: false));
            }
        }

        foreach (var (reference, index) in (spec.ValuesFrom ?? []).Select((r, i) => (r, i)))
        {
            var field = $"spec.valuesFrom[{index}]";
            if (reference.Kind is not ("ConfigMap" or "Secret"))
            {
                throw new HelmValuesException($"{field}.kind: {reference.Kind} is not supported; use ConfigMap or Secret");
            }

            var key = reference.ValuesKey is { Length: > 0 } k ? k : "values.yaml";
            var data = await ReadDataAsync(reference.Kind, reference.Name, cancellationToken);
            if (data is null || !data.TryGetValue(key, out var text))
            {
                if (reference.Optional)
                {
                    continue;
                }

                throw new HelmValuesException(data is null
                    ? $"{field}: {reference.Kind} {Namespace}/{reference.Name} not found; create it or mark the entry optional: true"
                    : $"{field}: {reference.Kind} {Namespace}/{reference.Name} has no key '{key}'; add it, set valuesKey, or mark the entry optional: true");
            }

            var secret = reference.Kind == "Secret";
            if (secret)
            {
                secretTexts.Add(text);
            }

            if (reference.TargetPath is { Length: > 0 } path)
            {
                try
                {
                    HelmValues.SetPath(merged, path, text.TrimEnd('\n'));
                }
                catch (ArgumentException exception)
                {
                    throw new HelmValuesException($"{field}.{exception.Message}");
                }
            }
            else
            {
                HelmValues.Merge(merged, ParseValues(text, $"{field}: key '{key}' of {reference.Kind} {Namespace}/{reference.Name}", secret));
            }
        }

        if (spec.Values is { } inline)
        {
            if (inline.ValueKind != JsonValueKind.Object)
            {
                throw new HelmValuesException("spec.values must be a mapping of values");
            }

            HelmValues.Merge(merged, JsonNode.Parse(inline.GetRawText())!.AsObject());
        }

        var bytes = Encoding.UTF8.GetBytes(Canonical(merged)!.ToJsonString(ValuesJson));
        return new ComposedValues(bytes, BlobStore.DigestOf(bytes), secretTexts);
    }

    private static JsonObject ParseValues(string text, string what, bool secret)
    {
        try
        {
            var document = YamlToJson.ParseDocuments(text).FirstOrDefault();
            return document switch
            {
                null => new JsonObject(),
                JsonObject map => map,
                _ => throw new HelmValuesException($"{what} is not a mapping of values; write YAML like 'replicaCount: 2', or use targetPath for a single value"),
            };
        }
        catch (YamlFormatException exception)
        {
            // A Secret's text is never quoted back.
            throw new HelmValuesException(secret
                ? $"{what} is not valid YAML (line {exception.Line}); fix the Secret"
                : $"{what} is not valid YAML: {exception.Message}");
        }
    }

    /// <summary>Keys sorted recursively, so equal values have one digest whatever their order.</summary>
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject map => new JsonObject(map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create<string, JsonNode?>(p.Key, Canonical(p.Value)))),
        JsonArray list => new JsonArray(list.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>
    /// Renders with helm, or reuses a render of identical inputs (chart, values, release, namespace and cluster capabilities):
    /// this release's last one, or one the silo made for another HelmRelease (the same release on another cluster).
    /// </summary>
    private async Task<HelmRenderResult> RenderAsync(HelmReleaseSpec spec, HelmChartArtifact chart, ComposedValues values, CancellationToken cancellationToken)
    {
        ClusterCapabilities capabilities;
        try
        {
            capabilities = await Target.Capabilities.ReadAsync(cancellationToken);
        }
        catch (KubernetesException exception)
        {
            throw new HelmRenderException($"reading the cluster's version and API versions failed: {exception.Message}");
        }

        var key = $"{chart.Digest}|{values.Digest}|{ReleaseName}|{TargetNamespace}|{capabilities.Fingerprint}";
        if (key == _renderKey && _rendered is not null)
        {
            environment.Renders.Hit();
            return new HelmRenderResult(Stamped(_rendered), []);
        }

        var timeout = spec.Timeout?.Value ?? DefaultTimeout;
        var (result, reused) = await environment.SharedRenders.GetAsync(key, async () =>
        {
            var archive = await Blobs.GetAsync(chart.Digest, cancellationToken)
                ?? throw new HelmRenderException($"the chart {chart.Chart} {chart.Version} ({chart.Digest}) is missing from the blob store");
            return await environment.Renderer.RenderAsync(new HelmRenderRequest(archive, ReleaseName, TargetNamespace, values.Bytes, capabilities, timeout), cancellationToken);
        });
        if (reused)
        {
            environment.Renders.Hit();
        }
        else
        {
            environment.Renders.Miss();
        }

        if (result.SkippedHooks.Count > 0 && !reused)
        {
            Logger.LogInformation("HelmRelease {Resource}: hooks are not run by Granary yet; left out {Hooks}", Key, string.Join(", ", result.SkippedHooks));
        }

        (_renderKey, _rendered) = (key, result.Objects.Select(o => o.DeepClone().AsObject()).ToList());
        return result with { Objects = Stamped(result.Objects) };
    }

    /// <summary>Copies of <paramref name="objects"/> with Helm's ownership metadata, as <c>helm install</c> writes it.</summary>
    private List<JsonObject> Stamped(IEnumerable<JsonObject> objects) => objects.Select(o =>
    {
        var copy = o.DeepClone().AsObject();
        KubeMetadata.SetLabel(copy, "app.kubernetes.io/managed-by", "Helm");
        var metadata = copy["metadata"]!.AsObject();
        if (metadata["annotations"] is not JsonObject annotations)
        {
            annotations = new JsonObject();
            metadata["annotations"] = annotations;
        }

        annotations["meta.helm.sh/release-name"] = ReleaseName;
        annotations["meta.helm.sh/release-namespace"] = TargetNamespace;
        return copy;
    }).ToList();

    /// <summary>The objects of a past release and the Secrets whose values were never stored (they stay as they are in the cluster).</summary>
    private async Task<(IReadOnlyList<JsonObject> Objects, HashSet<string> KeptSecrets)> ObjectsOfAsync(ReleaseRecord release, CancellationToken cancellationToken)
    {
        if (_releaseObjects.TryGetValue(release.Number, out var remembered))
        {
            return (remembered, []);
        }

        var stored = await Blobs.GetAsync(release.Content.ManifestDigest, cancellationToken)
            ?? throw new InvalidOperationException($"the manifest {release.Content.ManifestDigest} of release {release.Number} is missing from the blob store");
        var objects = RenderedManifest.Deserialize(stored);
        var secrets = objects.Where(RenderedManifest.IsSecret).ToList();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            var reference = ObjectReference.Of(secret);
            if (reference.Namespace.Length == 0)
            {
                reference = reference.InNamespace(TargetNamespace);
            }

            kept.Add(InventoryEntry.Of(reference).Id);
        }

        return (objects.Where(o => !RenderedManifest.IsSecret(o)).ToList(), kept);
    }

    private void Remember(int number, IReadOnlyList<JsonObject> objects)
    {
        _releaseObjects[number] = [.. objects];
        foreach (var old in _releaseObjects.Keys.OrderDescending().Skip(3).ToList())
        {
            _releaseObjects.Remove(old);
        }
    }

    /// <summary>Deletes every object of the release (pruning against an empty set); the deleted objects, or null when that failed.</summary>
    private async Task<IReadOnlyList<string>?> UninstallAsync(HelmReleaseSpec spec, CancellationToken cancellationToken)
    {
        var options = new ApplyOptions { Prune = true, DefaultNamespace = TargetNamespace, Timeout = spec.Uninstall?.Timeout?.Value ?? spec.Timeout?.Value ?? DefaultTimeout };
        var result = await Engine(spec).ApplyAsync(Owner, [], PreviousInventory(), options, cancellationToken);
        if (!result.Succeeded)
        {
            await FailAsync(State.Generation, "UninstallFailed", result.Message);
            return null;
        }

        return result.ChangeSet.Changes.Where(c => c.Action == ChangeAction.Deleted).Select(c => c.Object.ToString()).ToList();
    }

    private async Task CreateNamespaceAsync(CancellationToken cancellationToken)
    {
        var client = Target.Cluster;
        if (await client.TryGetAsync(new ObjectReference("v1", "Namespace", string.Empty, TargetNamespace), cancellationToken) is null)
        {
            await client.ApplyAsync(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = TargetNamespace },
            }, force: true, dryRun: false, cancellationToken);
        }
    }

    /// <summary>Asks each dependency (registering to be told when it becomes ready); a wait is a DependencyNotReady failure, retried soon.</summary>
    private async Task<bool> DependenciesReadyAsync(HelmReleaseSpec spec)
    {
        if (spec.DependsOn is { Count: > 0 }
            && await DependencyCycle.FindAsync(Key, key => key == Key ? GetDependenciesAsync() : GrainFactory.Get<IHelmReleaseGrain>(key).GetDependenciesAsync()) is { } cycle)
        {
            await FailAsync(State.Generation, "DependencyNotReady", DependencyCycle.Describe(cycle));
            return false;
        }

        foreach (var dependency in spec.DependsOn ?? [])
        {
            var key = $"{dependency.Namespace ?? Namespace}/{dependency.Name}";

            var status = await GrainFactory.Get<IHelmReleaseGrain>(key).AddDependentAsync(Key);
            if (status.IsReady)
            {
                continue;
            }

            // Recorded when the wait changes, not on every retry; the dependency also tells this one when it becomes ready.
            await FailAsync(State.Generation, "DependencyNotReady", status.Exists ? $"dependency '{key}' is not ready" : $"dependency '{key}' does not exist");
            Schedule(DependencyRetry);
            return false;
        }

        return true;
    }

    private async Task TellDependentsAsync()
    {
        foreach (var dependent in State.Dependents)
        {
            await GrainFactory.Get<IHelmReleaseGrain>(dependent).DependencyReadyAsync(Key);
        }
    }

    /// <summary>Reads a ConfigMap's or Secret's data (decoded) from the HelmRelease's namespace; values never leave memory.</summary>
    private async Task<Dictionary<string, string>?> ReadDataAsync(string kind, string name, CancellationToken cancellationToken)
    {
        JsonObject? live;
        try
        {
            live = await environment.Cluster.TryGetAsync(new ObjectReference("v1", kind, Namespace, name), cancellationToken);
        }
        catch (KubernetesException exception)
        {
            throw new HelmValuesException($"{kind} {Namespace}/{name} cannot be read: {exception.Message}");
        }

        if (live is null)
        {
            return null;
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (live["data"] is JsonObject entries)
        {
            foreach (var (key, value) in entries)
            {
                var text = value?.GetValue<string>() ?? string.Empty;
                try
                {
                    data[key] = kind == "Secret" ? Encoding.UTF8.GetString(Convert.FromBase64String(text)) : text;
                }
                catch (FormatException)
                {
                    throw new HelmValuesException($"Secret {Namespace}/{name}: key '{key}' is not valid base64; recreate the Secret");
                }
            }
        }

        return data;
    }

    private ApplyEngine Engine(HelmReleaseSpec spec) => new(Target.Apply);

    private ReleaseTarget? _target;
    private bool _fleetSubscribed;

    /// <summary>
    /// A fleet: one member HelmRelease per matching Cluster (<c>name.cluster</c>, the spec with that <c>clusterRef</c> and this
    /// release name), each with its own history and reconciling on its own turn. Members of Clusters that left the selection
    /// are deleted, which uninstalls them there.
    /// </summary>
    private async Task ReconcileFleetAsync(HelmReleaseSpec spec, LabelSelector selector, long generation)
    {
        if (spec.KubeConfig is not null || spec.ClusterRef is not null || selector.Validate("spec.clusterSelector") is not null)
        {
            await FailAsync(generation, "InvalidSpec", spec.KubeConfig is not null || spec.ClusterRef is not null
                ? "spec.clusterSelector is set together with spec.kubeConfig or spec.clusterRef; a HelmRelease targets one cluster or a fleet, so remove one"
                : selector.Validate("spec.clusterSelector")!);
            return;
        }

        var directory = GrainFactory.Get<IClusterDirectoryGrain>(Namespace);
        var selected = _fleetSubscribed ? await directory.SelectAsync(selector) : await directory.SubscribeAsync(GrainId, selector);
        _fleetSubscribed = true;
        foreach (var (cluster, member) in State.Members.Where(m => !selected.Contains(m.Key)).ToList())
        {
            await GrainFactory.Get<IHelmReleaseGrain>(member).DeleteAsync();
            await RaiseAsync(new HelmFleetMemberRemoved(cluster, member));
        }

        foreach (var cluster in selected)
        {
            var clusterName = cluster[(cluster.IndexOf('/') + 1)..];
            var memberName = $"{Name}.{clusterName}";
            var labels = new Dictionary<string, string>(State.Labels ?? [], StringComparer.Ordinal) { ["granary.dev/fleet"] = Name };
            var memberGeneration = await GrainFactory.Get<IHelmReleaseGrain>($"{Namespace}/{memberName}").DeclareAsync(new HelmRelease
            {
                ApiVersion = HelmRelease.Version,
                Kind = "HelmRelease",
                Metadata = new Contracts.Resources.ObjectMetadata { Name = memberName, Namespace = Namespace, Labels = labels },
                Spec = spec with { ClusterSelector = null, ClusterRef = new LocalObjectReference { Name = clusterName }, ReleaseName = ReleaseName },
            });
            if (State.MemberGenerations.GetValueOrDefault(cluster) != memberGeneration || !State.Members.ContainsKey(cluster))
            {
                await RaiseAsync(new HelmFleetMemberDeclared(cluster, $"{Namespace}/{memberName}", memberGeneration));
            }
        }

        if (selected.Count == 0 && State.Members.Count == 0)
        {
            await FailAsync(generation, "NoMatchingClusters", $"no Cluster in namespace {Namespace} matches spec.clusterSelector; label a Cluster to match it, or change the selector");
        }
        else if (State.Failure is not null || State.ObservedGeneration != generation)
        {
            await RaiseAsync(new HelmReleaseObserved(generation, DateTimeOffset.UtcNow));
        }
    }

    /// <summary>A fleet's status from its members': Ready when every member is.</summary>
    private async Task<HelmReleaseStatus> FleetStatusAsync()
    {
        var members = new List<ClusterDeploymentStatus>();
        foreach (var (cluster, member) in State.Members.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var status = await GrainFactory.Get<IHelmReleaseGrain>(member).GetStatusAsync();
            var ready = status.Conditions.FirstOrDefault(c => c.Type == "Ready");
            members.Add(new ClusterDeploymentStatus(cluster, status.IsReady, ready?.Reason ?? "Progressing", ready?.Message ?? "reconciliation in progress", status.LastAppliedRevision, status.Inventory));
        }

        var failed = members.Where(m => !m.Ready && m.Reason != "Progressing").ToList();
        var conditions = new List<Condition>();
        if (failed.Count > 0)
        {
            conditions.Add(new Condition("Ready", "False", failed[0].Reason, $"{failed.Count} of {members.Count} clusters failed: {string.Join("; ", failed.Select(f => $"{f.Cluster}: {f.Message}"))}", State.ObservedGeneration, State.ReadySince));
        }
        else if (members.All(m => m.Ready))
        {
            conditions.Add(new Condition("Ready", "True", "InstallSucceeded", $"Released on {members.Count} clusters", State.ObservedGeneration, State.ReadySince));
        }
        else
        {
            conditions.Add(new Condition("Ready", "Unknown", "Progressing", $"{members.Count(m => m.Ready)} of {members.Count} clusters released", State.ObservedGeneration, State.ReadySince));
        }

        var revisions = members.Select(m => m.LastAppliedRevision).Distinct().ToList();
        return new HelmReleaseStatus(true, State.Generation, State.ObservedGeneration, IsSuspended, conditions, null,
            revisions.Count == 1 ? revisions[0] : null, null, null, 0, 0, members.SelectMany(m => m.Inventory.Select(i => $"{m.Cluster}|{i}")).ToList(), members);
    }

    /// <summary>The cluster this reconcile installs into, resolved at its start.</summary>
    private ReleaseTarget Target => _target ?? throw new InvalidOperationException($"HelmRelease {Key}: the target cluster was not resolved before use.");

    /// <summary>
    /// The silo's cluster, or the <c>kubeConfig</c>/<c>clusterRef</c> cluster through the fleet clients: its client (as the
    /// ServiceAccount when set), its own client for Namespaces, and its capabilities for <c>helm template</c>.
    /// </summary>
    private async Task<ReleaseTarget> TargetAsync(HelmReleaseSpec spec)
    {
        if (ClusterTarget.Of(Namespace, spec.KubeConfig, spec.ClusterRef) is not { } target)
        {
            return new ReleaseTarget(environment.Cluster, environment.ClientFor(Namespace, spec.ServiceAccountName), environment.Capabilities);
        }

        var fleet = environment.Fleet
            ?? throw new ClusterConnectionException(ClusterReasons.InvalidSpec, $"spec.{(spec.KubeConfig is not null ? "kubeConfig" : "clusterRef")}: this silo has no fleet clients configured; remove it to install into the silo's cluster");
        var requester = $"HelmRelease {Key}";
        var cluster = await fleet.GetAsync(target, null, requester);
        var apply = string.IsNullOrEmpty(spec.ServiceAccountName) ? cluster : await fleet.GetAsync(target, spec.ServiceAccountName, requester);
        return new ReleaseTarget(cluster, apply, environment.CapabilitiesOf(cluster));
    }

    /// <summary>Where a reconcile installs: the cluster's client, the client that applies, and the cluster's capabilities.</summary>
    private sealed record ReleaseTarget(KubernetesClient Cluster, KubernetesClient Apply, ClusterCapabilitiesReader Capabilities);

    private Inventory PreviousInventory() => new(State.Inventory.Select(stored =>
    {
        var bar = stored.LastIndexOf('|');
        return new InventoryEntry(stored[..bar], stored[(bar + 1)..]);
    }).ToList());

    private static IReadOnlyList<string> Changes(ApplyResult result) => result.ChangeSet.Changes
        .Where(c => c.Action is ChangeAction.Created or ChangeAction.Configured or ChangeAction.Deleted)
        .Select(c => c.ToString())
        .ToList();

    /// <summary>Spec values the JSON schema cannot check, and what Granary does not do yet; each names the field and the fix.</summary>
    private static (string Reason, string Message)? SpecProblem(HelmReleaseSpec spec)
    {
        if (spec.KubeConfig is not null && spec.ClusterRef is not null)
        {
            return ("ReconciliationFailed", "spec.kubeConfig and spec.clusterRef are both set; a HelmRelease installs into one cluster, so remove one");
        }

        if (spec.ChartRef is { } reference)
        {
            if (spec.Chart is not null)
            {
                return ("InvalidChartReference", "spec.chart and spec.chartRef are both set; a HelmRelease takes its chart from one, so remove one");
            }

            if (reference.Kind is not ("HelmChart" or "OCIRepository"))
            {
                return ("InvalidChartReference", $"spec.chartRef.kind {reference.Kind} is not a chart source; use OCIRepository or HelmChart");
            }
        }
        else if (spec.Chart is not { } chart)
        {
            return ("InvalidChartReference", "spec.chart or spec.chartRef is required; give chart.spec with chart, version and sourceRef, or chartRef with kind (OCIRepository or HelmChart) and name");
        }
        else if (chart.Spec.SourceRef.Kind is not ("HelmRepository" or "GitRepository"))
        {
            return ("InvalidChartReference", $"spec.chart.spec.sourceRef.kind {chart.Spec.SourceRef.Kind} is not supported yet; use HelmRepository or GitRepository");
        }

        foreach (var (field, value) in new[] { ("spec.install.crds", spec.Install?.Crds), ("spec.upgrade.crds", spec.Upgrade?.Crds) })
        {
            if (value is not (null or "Skip" or "Create" or "CreateReplace"))
            {
                return ("InvalidSpec", $"{field} '{value}' is not a CRD policy; use Skip, Create or CreateReplace");
            }
        }

        if (spec.Upgrade?.Remediation?.Strategy is not (null or "rollback" or "uninstall") and var strategy)
        {
            return ("InvalidSpec", $"spec.upgrade.remediation.strategy '{strategy}' is not a strategy; use rollback or uninstall");
        }

        if (spec.DriftDetection?.Mode is not (null or "enabled" or "warn" or "disabled") and var mode)
        {
            return ("InvalidSpec", $"spec.driftDetection.mode '{mode}' is not a mode; use enabled, warn or disabled");
        }

        if (spec.DriftDetection?.Ignore is { ValueKind: not JsonValueKind.Null })
        {
            return ("InvalidSpec", "spec.driftDetection.ignore is not supported yet; remove it (every drifted field is corrected in mode enabled, or reported in mode warn)");
        }

        if ((spec.Install?.Remediation?.Retries ?? 0) < 0 || (spec.Upgrade?.Remediation?.Retries ?? 0) < 0)
        {
            return ("InvalidSpec", "remediation.retries must be 0 or more (Flux's -1 for unlimited is not supported yet)");
        }

        if (spec.PostRenderers is not null)
        {
            return ("InvalidSpec", "spec.postRenderers is not supported yet; remove it, or move the patches into the chart's values");
        }

        return null;
    }

    private string? SourceKey(HelmReleaseSpec spec) => (spec.ChartRef ?? spec.Chart?.Spec.SourceRef) is { } source ? $"{source.Namespace ?? Namespace}/{source.Name}" : null;

    private static string SourceKind(HelmReleaseSpec spec) => spec.ChartRef?.Kind ?? spec.Chart?.Spec.SourceRef.Kind ?? "HelmRepository";

    private async Task FailAsync(long generation, string reason, string message)
    {
        Logger.LogWarning("HelmRelease {Resource} reconcile failed: {Reason}: {Message}", Key, reason, message);
        if (State.Failure is not { } last || last.Reason != reason || last.Message != message || State.ObservedGeneration != generation)
        {
            await RaiseAsync(new HelmReleaseFailed(generation, reason, message, DateTimeOffset.UtcNow));
        }
    }

    private HelmReleaseStatus Status() => StatusOf(State, Key);

    /// <summary>The status of <paramref name="state"/>, as the grain reports it (the API folds the same from the log).</summary>
    public static HelmReleaseStatus StatusOf(HelmReleaseState state, string key)
    {
        if (!state.Exists)
        {
            return new HelmReleaseStatus(false, state.Generation, state.ObservedGeneration, false, [], null, null, null, null, 0, 0, []);
        }

        var conditions = new List<Condition>();
        var observed = state.ObservedGeneration;
        var since = state.ReadySince;
        var current = state.CurrentRelease;
        if (state.Failure is { } failure)
        {
            conditions.Add(new Condition("Ready", "False", failure.Reason, failure.Message, observed, since));
            conditions.Add(failure.Reason is "InvalidSpec" or "InvalidChartReference"
                ? new Condition("Stalled", "True", failure.Reason, failure.Message, observed, since)
                : new Condition("Reconciling", "True", "ProgressingWithRetry", $"retrying every {state.Spec!.Interval}", observed, since));
        }
        else if (state.ActionFailure is { } actionFailure)
        {
            conditions.Add(new Condition("Ready", "False", actionFailure.Reason, actionFailure.Message, observed, since));
            conditions.Add(new Condition("Released", "False", actionFailure.Reason, actionFailure.Message, observed, since));
            if (state.Remediated is { } remediated)
            {
                var what = remediated == "RollbackSucceeded" ? $"Helm rollback to release {state.CurrentRelease?.Description.Replace("Rollback to ", string.Empty, StringComparison.Ordinal)} succeeded" : "Helm uninstall succeeded";
                conditions.Add(new Condition("Remediated", "True", remediated, what, observed, since));
            }

            conditions.Add(state.Exhausted is { } exhausted
                ? new Condition("Stalled", "True", "RetriesExceeded", $"Failed to {exhausted.Action} after {exhausted.Failures} attempt(s); change the chart, values or spec to try again", observed, since)
                : new Condition("Reconciling", "True", "ProgressingWithRetry", "retrying the failed action", observed, since));
        }
        else if (current is not null)
        {
            var verb = state.SucceededReason == "InstallSucceeded" ? "install" : "upgrade";
            var message = $"Helm {verb} succeeded for release {TargetNamespaceOf(state, key)}/{ReleaseNameOf(state, key)}.v{current.Number} with chart {current.Content.Chart}@{current.Content.ChartVersion}";
            if (state.Drifted.Count > 0)
            {
                conditions.Add(new Condition("Ready", "True", "DriftDetected", $"{message}; drift detected (not corrected, mode warn): {string.Join(", ", state.Drifted)}", observed, since));
            }
            else
            {
                conditions.Add(new Condition("Ready", "True", state.SucceededReason ?? "UpgradeSucceeded", message, observed, since));
            }

            conditions.Add(new Condition("Released", "True", state.SucceededReason ?? "UpgradeSucceeded", message, observed, since));
        }
        else
        {
            conditions.Add(new Condition("Ready", "Unknown", "Progressing", "reconciliation in progress", state.Generation, since));
            conditions.Add(new Condition("Reconciling", "True", "Progressing", "reconciliation in progress", state.Generation, since));
        }

        return new HelmReleaseStatus(true, state.Generation, observed, (state.Suspended || state.Spec?.Suspend == true), conditions, state.Current,
            current?.Content.ChartVersion, state.LastAttemptedRevision, state.LastAttemptedValuesDigest, state.InstallFailures, state.UpgradeFailures,
            state.Inventory.Select(i => i[..i.LastIndexOf('|')]).ToList());
    }

    /// <summary>Merged values, their digest, and the texts read from Secrets (only to keep them out of messages).</summary>
    private sealed record ComposedValues(byte[] Bytes, string Digest, IReadOnlyList<string> SecretTexts)
    {
        public string Scrub(string message) => SecretTexts.Where(t => t.Trim().Length >= 4)
            .Aggregate(message, (text, secret) => text.Replace(secret.Trim(), "[redacted]", StringComparison.Ordinal));
    }
}

/// <summary>The values files to merge from the chart, whether a missing one is skipped, and the field that lists them (for messages).</summary>
internal sealed record ChartValuesFiles(IReadOnlyList<string> Files, bool IgnoreMissing, string Field);

/// <summary>Values could not be composed (a missing ConfigMap or Secret, bad YAML, a bad targetPath). Never quotes Secret data.</summary>
public sealed class HelmValuesException(string message) : Exception(message);
