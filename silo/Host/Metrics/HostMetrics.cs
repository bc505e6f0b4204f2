using System.Diagnostics.Metrics;

namespace Granary.Silo.Metrics;

/// <summary>The host's own metrics (meter <c>Granary.Host</c>): reconcile durations under Flux's name, and events seen on the feed.</summary>
public sealed class HostMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Granary.Host";

    /// <summary>Flux's reconcile duration histogram name, kept so existing dashboards work.</summary>
    public const string ReconcileDuration = "gotk_reconcile_duration_seconds";

    /// <summary>Bucket bounds of the reconcile histogram (Prometheus' defaults, as Flux's controllers use).</summary>
    public static IReadOnlyList<double> ReconcileBuckets { get; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Histogram<double> _reconcileDuration;
    private readonly Counter<long> _eventsAppended;

    /// <summary>Creates the meter and its instruments.</summary>
    public HostMetrics()
    {
        Meter = new Meter(MeterName);
        _reconcileDuration = Meter.CreateHistogram<double>(ReconcileDuration, unit: "s", description: "The duration in seconds of a reconciliation, by kind, name and namespace",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ReconcileBuckets });
        _eventsAppended = Meter.CreateCounter<long>("granary.events.appended", description: "Events appended to the event store (seen on the global feed), by type");
    }

    /// <summary>The meter instance (the exporter listens to this instance only, so silos in one process stay apart).</summary>
    public Meter Meter { get; }

    /// <summary>Records one reconcile of <paramref name="kind"/> <paramref name="namespace"/>/<paramref name="name"/>.</summary>
    public void Reconciled(string kind, string @namespace, string name, TimeSpan duration) =>
        _reconcileDuration.Record(duration.TotalSeconds, new("kind", kind), new("name", name), new("namespace", @namespace));

    /// <summary>Counts one event seen on the global feed.</summary>
    public void EventObserved(string type) => _eventsAppended.Add(1, new KeyValuePair<string, object?>("type", type));

    /// <inheritdoc />
    public void Dispose() => Meter.Dispose();
}
