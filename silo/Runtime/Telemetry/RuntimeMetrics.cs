using System.Diagnostics;
using System.Diagnostics.Metrics;
using Granary.Runtime.Calls;

namespace Granary.Runtime.Telemetry;

/// <summary>The runtime's metrics (System.Diagnostics.Metrics): activations, calls, latency, mailbox depth, reminder ticks.</summary>
internal sealed class RuntimeMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "Granary.Runtime";

    private readonly Meter _meter;
    private readonly Counter<long> _activations;
    private readonly Counter<long> _deactivations;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _callDuration;
    private readonly Counter<long> _reminderTicks;
    private readonly KeyValuePair<string, object?> _silo;

    public RuntimeMetrics(string siloName, Func<int> activationCount, Func<long> mailboxDepth)
    {
        _silo = new KeyValuePair<string, object?>("silo", siloName);
        _meter = new Meter(MeterName);
        _activations = _meter.CreateCounter<long>("granary.grain.activations", description: "Grain activations started");
        _deactivations = _meter.CreateCounter<long>("granary.grain.deactivations", description: "Grain activations ended");
        _calls = _meter.CreateCounter<long>("granary.grain.calls", description: "Grain calls completed, by interface and method");
        _callDuration = _meter.CreateHistogram<double>("granary.grain.call.duration", unit: "s", description: "Grain call latency inside the activation");
        _reminderTicks = _meter.CreateCounter<long>("granary.reminder.ticks", description: "Reminder ticks delivered");
        _meter.CreateObservableGauge("granary.grain.activations.live", () => new Measurement<int>(activationCount(), _silo), description: "Activations in this silo");
        _meter.CreateObservableGauge("granary.grain.mailbox.depth", () => new Measurement<long>(mailboxDepth(), _silo), description: "Messages waiting in mailboxes");
    }

    public void Activated(string kind) => _activations.Add(1, _silo, new("kind", kind));

    public void Deactivated(string kind) => _deactivations.Add(1, _silo, new("kind", kind));

    public void CallCompleted(GrainMethod method, TimeSpan duration)
    {
        if (!_calls.Enabled && !_callDuration.Enabled)
        {
            return;
        }

        var tags = new TagList { _silo, { "interface", method.InterfaceName }, { "method", method.Method.Name } };
        _calls.Add(1, tags);
        _callDuration.Record(duration.TotalSeconds, tags);
    }

    public void ReminderTicked(string kind) => _reminderTicks.Add(1, _silo, new("kind", kind));

    public void Dispose() => _meter.Dispose();
}
