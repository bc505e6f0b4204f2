using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Granary.Silo.Metrics;

/// <summary>
/// Serves System.Diagnostics.Metrics instruments in Prometheus' text format (0.0.4), aggregated in process by a
/// <see cref="MeterListener"/>: counters as <c>_total</c>, histograms with cumulative buckets, gauges as their
/// last value. Names become Prometheus names (dots to underscores, a <c>_seconds</c> suffix for unit <c>s</c>).
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly Func<Meter, bool> _include;
    private readonly string _silo;
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();

    /// <summary>
    /// Listens to the meters <paramref name="include"/> accepts. Series tagged with another <c>silo</c> than
    /// <paramref name="silo"/> are left out (several silos may share a process in tests).
    /// </summary>
    public PrometheusExporter(Func<Meter, bool> include, string silo)
    {
        _include = include;
        _silo = silo;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_include(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out Family? _);
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Writes every series in Prometheus' text format.</summary>
    public void Write(StringBuilder output)
    {
        _listener.RecordObservableInstruments();
        foreach (var group in _families.Values.GroupBy(f => f.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = group.First();
            output.Append("# HELP ").Append(first.Name).Append(' ').Append(Escape(first.Help, label: false)).Append('\n');
            output.Append("# TYPE ").Append(first.Name).Append(' ').Append(first.Type).Append('\n');
            foreach (var family in group)
            {
                family.Write(output);
            }
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new List<KeyValuePair<string, string>>(tags.Length);
        foreach (var tag in tags)
        {
            var text = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty;
            if (tag.Key == "silo" && text != _silo)
            {
                return;
            }

            labels.Add(new(LabelName(tag.Key), text));
        }

        labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        _families.GetOrAdd(instrument, Family.For).Record(labels, value);
    }

    /// <summary>A Prometheus metric name for an instrument.</summary>
    public static string MetricName(Instrument instrument)
    {
        var name = new string(instrument.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_').ToArray());
        if (instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
        {
            name += "_seconds";
        }

        return name;
    }

    private static string LabelName(string key) => new(key.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray());

    /// <summary>Escapes a label value (or HELP text) as the text format requires.</summary>
    public static string Escape(string value, bool label = true)
    {
        var escaped = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return label ? escaped.Replace("\"", "\\\"", StringComparison.Ordinal) : escaped;
    }

    /// <summary>Formats a label set, <c>{a="1",b="2"}</c>, with an optional extra label.</summary>
    public static string Labels(IEnumerable<KeyValuePair<string, string>> labels, string? extraName = null, string? extraValue = null)
    {
        var all = labels.Select(l => $"{l.Key}=\"{Escape(l.Value)}\"").ToList();
        if (extraName is not null)
        {
            all.Add($"{extraName}=\"{Escape(extraValue!)}\"");
        }

        return all.Count == 0 ? string.Empty : "{" + string.Join(',', all) + "}";
    }

    /// <summary>Formats a sample value.</summary>
    public static string Number(double value) => double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private abstract class Family(string name, string help, string type)
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public string Help { get; } = help;

        public string Type { get; } = type;

        public static Family For(Instrument instrument)
        {
            var name = MetricName(instrument);
            var help = instrument.Description ?? instrument.Name;
            var type = instrument.GetType();
            var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            if (definition == typeof(Histogram<>))
            {
                var advised = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries;
                return new HistogramFamily(name, help, advised?.ToArray() ?? DefaultBuckets);
            }

            if (definition == typeof(Counter<>))
            {
                return new SumFamily(name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total", help, "counter", cumulative: false);
            }

            if (definition == typeof(ObservableCounter<>))
            {
                return new SumFamily(name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total", help, "counter", cumulative: true);
            }

            return definition == typeof(UpDownCounter<>)
                ? new SumFamily(name, help, "gauge", cumulative: false)
                : new SumFamily(name, help, "gauge", cumulative: true);
        }

        public void Record(List<KeyValuePair<string, string>> labels, double value)
        {
            var key = string.Join('\u0001', labels.Select(l => l.Key + "\u0002" + l.Value));
            _series.GetOrAdd(key, _ => NewSeries(labels)).Record(value);
        }

        public void Write(StringBuilder output)
        {
            foreach (var series in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                series.Value.Write(Name, output);
            }
        }

        protected abstract Series NewSeries(List<KeyValuePair<string, string>> labels);
    }

    private sealed class SumFamily(string name, string help, string type, bool cumulative) : Family(name, help, type)
    {
        protected override Series NewSeries(List<KeyValuePair<string, string>> labels) => new SumSeries(labels, cumulative);
    }

    private sealed class HistogramFamily(string name, string help, double[] bounds) : Family(name, help, "histogram")
    {
        protected override Series NewSeries(List<KeyValuePair<string, string>> labels) => new HistogramSeries(labels, bounds);
    }

    private abstract class Series(List<KeyValuePair<string, string>> labels)
    {
        protected List<KeyValuePair<string, string>> LabelSet { get; } = labels;

        public abstract void Record(double value);

        public abstract void Write(string name, StringBuilder output);
    }

    /// <summary>A counter's running sum, or (cumulative) the last value an observable instrument reported.</summary>
    private sealed class SumSeries(List<KeyValuePair<string, string>> labels, bool cumulative) : Series(labels)
    {
        private readonly Lock _gate = new();
        private double _value;

        public override void Record(double value)
        {
            lock (_gate)
            {
                _value = cumulative ? value : _value + value;
            }
        }

        public override void Write(string name, StringBuilder output)
        {
            double value;
            lock (_gate)
            {
                value = _value;
            }

            output.Append(name).Append(Labels(LabelSet)).Append(' ').Append(Number(value)).Append('\n');
        }
    }

    private sealed class HistogramSeries(List<KeyValuePair<string, string>> labels, double[] bounds) : Series(labels)
    {
        private readonly Lock _gate = new();
        private readonly long[] _counts = new long[bounds.Length + 1];
        private double _sum;
        private long _count;

        public override void Record(double value)
        {
            var index = Array.BinarySearch(bounds, value);
            index = index >= 0 ? index : ~index;
            lock (_gate)
            {
                _counts[index]++;
                _sum += value;
                _count++;
            }
        }

        public override void Write(string name, StringBuilder output)
        {
            long[] counts;
            double sum;
            long count;
            lock (_gate)
            {
                counts = (long[])_counts.Clone();
                sum = _sum;
                count = _count;
            }

            long cumulative = 0;
            for (var i = 0; i <= bounds.Length; i++)
            {
                cumulative += counts[i];
                var le = i < bounds.Length ? Number(bounds[i]) : "+Inf";
                output.Append(name).Append("_bucket").Append(Labels(LabelSet, "le", le)).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            output.Append(name).Append("_sum").Append(Labels(LabelSet)).Append(' ').Append(Number(sum)).Append('\n');
            output.Append(name).Append("_count").Append(Labels(LabelSet)).Append(' ').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
