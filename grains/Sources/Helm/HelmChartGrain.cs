using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Resources;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sources.Helm;

/// <summary>
/// A HelmChart. Its timer pulls the chart from its HelmRepository (resolved and verified there) or packs it from its
/// GitRepository's artifact, at <c>spec.interval</c> and whenever the source tells it about a new index or commit. An
/// unchanged chart appends nothing; a new one is kept in the blob store by digest, recorded, and announced to subscribers
/// (HelmReleases with a <c>chartRef</c>). Failures are recorded once per distinct failure.
/// </summary>
public sealed class HelmChartGrain : ResourceGrain<HelmChartState>, IHelmChartGrain
{
    private ChartPuller? _puller;

    /// <inheritdoc />
    protected override HelmChartState Apply(HelmChartState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    protected override string KindName => "HelmChart";

    /// <inheritdoc />
    protected override TimeSpan? ReconcilePeriod => State.Spec?.Interval.Value;

    /// <inheritdoc />
    protected override bool IsSuspended => State.Suspended || State.Spec?.Suspend == true;

    private string SourceKey => $"{Namespace}/{State.Spec!.SourceRef.Name}";

    /// <inheritdoc />
    public async Task<SourceStatus> ApplyAsync(HelmChart resource)
    {
        await DeclareAsync(resource);
        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public async Task<long> DeclareAsync(HelmChart resource)
    {
        if (resource.Key != Key)
        {
            throw new ArgumentException($"HelmChart {resource.Key} was sent to grain {Key}; apply each resource to the grain of its own namespace/name.");
        }

        if (SpecChanged(State.Spec, resource.Spec, resource.Metadata.Labels))
        {
            if (State.Spec?.SourceRef != resource.Spec.SourceRef)
            {
                _puller = null; // a new source: subscribe to it
            }

            await RaiseAsync(new HelmChartSpecApplied(State.Generation + 1, resource.Spec, resource.Metadata.Labels));
            await KeepAliveAsync(resource.Spec.Interval.Value);
            Schedule(TimeSpan.Zero);
        }

        return State.Generation;
    }

    /// <inheritdoc />
    public async Task<SourceStatus> ReconcileAsync()
    {
        await ReconcileOnceAsync(CancellationToken.None);
        return Status();
    }

    /// <inheritdoc />
    public async Task<SourceStatus> RequestReconcileAsync()
    {
        await RecordReconcileRequestAsync(withSource: false);
        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public async Task DeleteAsync()
    {
        if (!State.Exists)
        {
            return;
        }

        await RecordDeletedAsync();
    }

    /// <inheritdoc />
    public async Task<SourceArtifact?> SubscribeAsync(GrainId subscriber)
    {
        if (!State.Subscribers.Contains(subscriber))
        {
            await RaiseAsync(new HelmChartSubscriberAdded(subscriber.Kind, subscriber.Key));
        }

        return State.Artifact;
    }

    /// <inheritdoc />
    public Task<SourceStatus> GetStatusAsync() => Task.FromResult(Status());

    /// <inheritdoc />
    public async Task<ChartSourceArtifact> GetChartAsync()
    {
        if (State.Exists && State.Chart is null && State.Failure is null)
        {
            await ReconcileOnceAsync(CancellationToken.None); // asked before the first pull ran on its own turn
        }

        return new ChartSourceArtifact(Status(), State.Chart, State.Spec?.ValuesFiles ?? [], State.Spec?.IgnoreMissingValuesFiles ?? false);
    }

    /// <summary>The source has a new index or commit: pull again.</summary>
    public Task SourceChangedAsync(GrainId source, SourceArtifact artifact) => ReconcileOnceAsync(CancellationToken.None);

    /// <summary>One pass: check the spec, pull the chart, store and announce it when it changed.</summary>
    protected override async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        if (!State.Exists || State.Spec is not { } spec || IsSuspended)
        {
            return;
        }

        var generation = State.Generation;
        if (SpecProblem(spec) is { } problem)
        {
            await FailAsync(generation, "InvalidChartReference", problem);
            return;
        }

        PulledChart pulled;
        try
        {
            _puller ??= new ChartPuller(GrainFactory, Blobs, GrainId);
            pulled = await _puller.PullAsync(new ChartRequest(spec.Chart, spec.Version, spec.SourceRef.Kind, SourceKey, spec.ReconcileStrategy, "spec."), cancellationToken);
        }
        catch (HelmChartException exception)
        {
            var source = $"{spec.SourceRef.Kind} {SourceKey}";
            await FailAsync(generation, exception.Reason, exception.Message.Contains(source, StringComparison.Ordinal) ? exception.Message : $"{source}: {exception.Message}");
            return;
        }

        var chart = pulled.Chart;
        if (State.Chart is { } current && current.Digest == chart.Digest && current.Version == chart.Version)
        {
            if (State.Failure is not null || State.ObservedGeneration != generation)
            {
                var newSpec = State.ObservedGeneration != generation;
                await RaiseAsync(new HelmChartPullSucceeded(generation, DateTimeOffset.UtcNow));
                if (newSpec)
                {
                    await TellSubscribersAsync(); // the values files may have changed
                }
            }

            return;
        }

        await RaiseAsync(new HelmChartArtifactStored(generation, chart.Chart, chart.Version, chart.AppVersion, chart.Digest, chart.Size, pulled.SourceRevision, DateTimeOffset.UtcNow));
        Logger.LogInformation("HelmChart {Resource} stored chart {Chart} {Version} ({Digest})", Key, chart.Chart, chart.Version, chart.Digest);
        await TellSubscribersAsync();
    }

    private async Task TellSubscribersAsync()
    {
        foreach (var subscriber in State.Subscribers)
        {
            await GrainFactory.Get<ISourceSubscriber>(subscriber).SourceChangedAsync(GrainId, State.Artifact!);
        }
    }

    /// <summary>What the schema cannot check; each names the field and the fix.</summary>
    private static string? SpecProblem(HelmChartSpec spec)
    {
        if (spec.SourceRef.Kind is not ("HelmRepository" or "GitRepository"))
        {
            return $"spec.sourceRef.kind {spec.SourceRef.Kind} is not supported; use HelmRepository or GitRepository";
        }

        if (spec.ReconcileStrategy is not (null or "ChartVersion" or "Revision"))
        {
            return $"spec.reconcileStrategy '{spec.ReconcileStrategy}' is not a strategy; use ChartVersion or Revision";
        }

        if (spec.Verify is { ValueKind: not System.Text.Json.JsonValueKind.Null })
        {
            return "spec.verify is not supported yet; remove it";
        }

        return string.IsNullOrWhiteSpace(spec.Chart) ? "spec.chart is empty; give the chart's name (HelmRepository) or path (GitRepository)" : null;
    }

    private async Task FailAsync(long generation, string reason, string message)
    {
        Logger.LogWarning("HelmChart {Resource} pull failed: {Reason}: {Message}", Key, reason, message);
        if (State.Failure is not { } last || last.Reason != reason || last.Message != message || State.ObservedGeneration != generation)
        {
            await RaiseAsync(new HelmChartPullFailed(generation, reason, message, DateTimeOffset.UtcNow));
        }
    }

    private SourceStatus Status() => StatusOf(State);

    /// <summary>The status of <paramref name="state"/>, as the grain reports it (the API folds the same from the log).</summary>
    public static SourceStatus StatusOf(HelmChartState state)
    {
        if (!state.Exists)
        {
            return new SourceStatus(false, state.Generation, state.ObservedGeneration, false, [], null);
        }

        var conditions = SourceConditions.Of(state, state.Failure is { } f ? (f.Reason, f.Message) : null, state.Artifact,
            $"pulled '{state.Chart?.Chart}' chart with version '{state.Chart?.Version}'", "pulling the chart", state.Spec?.Interval,
            "InvalidChartReference", "InvalidSpec");
        return new SourceStatus(true, state.Generation, state.ObservedGeneration, state.Suspended || state.Spec?.Suspend == true, conditions, state.Artifact);
    }
}
