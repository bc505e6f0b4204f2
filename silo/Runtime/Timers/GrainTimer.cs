using Granary.Runtime.Activations;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Timers;

/// <summary>
/// A grain timer: each tick is a turn in the grain's mailbox, and the next tick is armed only after the
/// previous one finished, so ticks never overlap. Lives as long as the activation.
/// </summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly Activation _activation;
    private readonly SiloRuntime _runtime;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly TimeSpan _dueTime;
    private readonly TimeSpan _period;
    private readonly Timer _timer;
    private volatile bool _disposed;

    public GrainTimer(Activation activation, SiloRuntime runtime, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        if (period <= TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "A timer period is positive, or Timeout.InfiniteTimeSpan for a single tick.");
        }

        _activation = activation;
        _runtime = runtime;
        _callback = callback;
        _dueTime = dueTime;
        _period = period;
        using (ExecutionContext.SuppressFlow())
        {
            _timer = new Timer(static state => ((GrainTimer)state!).Fire(), this, Timeout.Infinite, Timeout.Infinite);
        }
    }

    public void Start() => Arm(_dueTime);

    private void Arm(TimeSpan delay)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Fire()
    {
        if (!_disposed && _activation.Admit(new Tick(this), reentrant: false) == Activation.Admission.Refused)
        {
            Dispose();
        }
    }

    private async Task TickAsync()
    {
        if (_disposed)
        {
            return;
        }

        using (_runtime.BeginTurnContext(_activation.Id, "timer"))
        {
            // A span per tick, like a call's, so a grain's timer-driven work (e.g. a reconcile) is timed and traced.
            using var activity = Telemetry.RuntimeTracing.Source.StartActivity("timer", System.Diagnostics.ActivityKind.Internal);
            activity?.SetTag("granary.grain", _activation.Id.ToString());
            try
            {
                await _callback(_runtime.StoppingToken);
            }
            catch (Exception exception)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, exception.Message);
                _runtime.Logger.LogWarning(exception, "Timer callback of grain {Grain} failed", _activation.Id);
            }
        }

        if (_period != Timeout.InfiniteTimeSpan)
        {
            Arm(_period);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }

    private sealed class Tick(GrainTimer timer) : WorkItem
    {
        public override Task RunAsync(Activation activation) => timer.TickAsync();

        public override void Abandon(Activation activation, Exception? reason) => timer.Dispose();
    }
}
