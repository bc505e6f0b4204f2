using System.Diagnostics;
using Granary.Contracts.Grains;
using Granary.Runtime.Telemetry;
using Granary.Silo.Resources;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Metrics;

/// <summary>
/// Times reconciles from the runtime's spans: a resource grain's timer tick, or a call that reconciles
/// (apply, reconcile, a new source artifact, a ready dependency). Each becomes one
/// <c>gotk_reconcile_duration_seconds</c> sample and one log line naming the resource.
/// </summary>
public sealed class ReconcileObserver : IDisposable
{
    /// <summary>The span names that stand for one reconcile of the grain they run in.</summary>
    private static readonly HashSet<string> ReconcileSpans = new(StringComparer.Ordinal)
    {
        "timer", "ApplyAsync", "ReconcileAsync", "RequestReconcileAsync", "SourceChangedAsync", "DependencyReadyAsync",
    };

    private readonly ActivityListener _listener;

    /// <summary>Starts listening to the runtime's activity source for spans of grains that <paramref name="hosts"/> says are this silo's.</summary>
    public ReconcileObserver(ResourceKinds kinds, HostMetrics metrics, ILogger logger, Func<GrainId, bool> hosts)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RuntimeTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                // Call spans are named Interface.Method (e.g. IKustomizationGrain.ApplyAsync); timer ticks "timer".
                var operation = activity.OperationName[(activity.OperationName.LastIndexOf('.') + 1)..];
                if (!ReconcileSpans.Contains(operation) || activity.GetTagItem("granary.grain") is not string grain
                    || kinds.ForStream(grain) is not { } kind)
                {
                    return;
                }

                var key = grain[(kind.GrainKind.Length + 1)..];
                if (!hosts(new GrainId(kind.GrainKind, key)))
                {
                    // Another silo in this process (tests run several): its host records its own.
                    return;
                }

                var slash = key.IndexOf('/', StringComparison.Ordinal);
                var (@namespace, name) = slash < 0 ? (string.Empty, key) : (key[..slash], key[(slash + 1)..]);
                metrics.Reconciled(kind.Kind, @namespace, name, activity.Duration);
                logger.LogInformation("{Kind} {Resource} reconciled in {Seconds:0.000}s ({Trigger}{Outcome})",
                    kind.Kind, key, activity.Duration.TotalSeconds, operation, activity.Status == ActivityStatusCode.Error ? $", failed: {activity.StatusDescription}" : string.Empty);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
