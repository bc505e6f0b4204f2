using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sources.Helm;

/// <summary>
/// A HelmChart. Its timer pulls the chart from its HelmRepository (resolved and verified there) or packs it from its
/// GitRepository's artifact, at <c>spec.interval</c> and whenever the source tells it about a new index or commit. An
/// unchanged chart appends nothing; a new one is kept in the blob store by digest, recorded, and announced to subscribers
/// (HelmReleases with a <c>chartRef</c>). Failures are recorded once per distinct failure.
/// </summary>
public sealed class HelmChartGrain : SourceGrain<HelmChartState, HelmChart>, IHelmChartGrain
{
    private ChartPuller? _puller;
    private HelmChartSpec? _pullerSpec;

    /// <inheritdoc />
    protected override HelmChartState Apply(HelmChartState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    protected override string KindName => "HelmChart";

    /// <inheritdoc />
    protected override TimeSpan? ReconcilePeriod => State.Spec?.Interval.Value;

    /// <inheritdoc />
    protected override bool IsSuspended => State.Suspended || State.Spec?.Suspend == true;

    /// <inheritdoc />
    protected override object? AppliedSpec => State.Spec;

    private string SourceKey => $"{Namespace}/{State.Spec!.SourceRef.Name}";

    /// <inheritdoc />
    protected override (object Spec, TimeSpan Interval) SpecOf(HelmChart resource) => (resource.Spec, resource.Spec.Interval.Value);

    /// <inheritdoc />
    protected override object SpecApplied(long generation, HelmChart resource) => new HelmChartSpecApplied(generation, resource.Spec, resource.Metadata.Labels);

    /// <inheritdoc />
    protected override object SubscriberAdded(GrainId subscriber) => new HelmChartSubscriberAdded(subscriber.Kind, subscriber.Key);

    /// <inheritdoc />
    protected override object PassFailed(long generation, string reason, string message, DateTimeOffset at) => new HelmChartPullFailed(generation, reason, message, at);

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
            await RecordFailureAsync(generation, "InvalidChartReference", problem);
            return;
        }

        PulledChart pulled;
        try
        {
            if (_puller is null || _pullerSpec?.SourceRef != spec.SourceRef)
            {
                (_puller, _pullerSpec) = (new ChartPuller(GrainFactory, Blobs, GrainId), spec); // a new source: subscribe to it
            }

            pulled = await _puller.PullAsync(new ChartRequest(spec.Chart, spec.Version, spec.SourceRef.Kind, SourceKey, spec.ReconcileStrategy, "spec."), cancellationToken);
        }
        catch (HelmChartException exception)
        {
            var source = $"{spec.SourceRef.Kind} {SourceKey}";
            await RecordFailureAsync(generation, exception.Reason, exception.Message.Contains(source, StringComparison.Ordinal) ? exception.Message : $"{source}: {exception.Message}");
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

    /// <inheritdoc />
    protected override SourceStatus Status() => StatusOf(State);

    /// <summary>The status of <paramref name="state"/>, as the grain reports it (the API folds the same from the log).</summary>
    public static SourceStatus StatusOf(HelmChartState state) => SourceConditions.StatusOf(state, state.Spec?.Suspend == true,
        $"pulled '{state.Chart?.Chart}' chart with version '{state.Chart?.Version}'", "pulling the chart", state.Spec?.Interval, "InvalidChartReference", "InvalidSpec");
}
