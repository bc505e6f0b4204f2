using System.Collections.Concurrent;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Runtime;

namespace Granary.Tests.Runtime;

/// <summary>What the test grains report to the test that made them (shared through their factories).</summary>
public sealed class Probe
{
    public int Activations;
    public int Deactivations;
    public int TimerTicks;
    public int TimerConcurrent;
    public int TimerMaxConcurrent;
    public bool FailActivation;
    public ConcurrentQueue<(string Grain, string Reminder)> Reminders { get; } = new();
    public ConcurrentDictionary<string, int> FoldedOnActivation { get; } = new();
    public TaskCompletionSource ReadersInside { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource ReleaseReaders { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int ReadersRunning;
}

public interface ICounterGrain : IGrain
{
    Task<int> IncrementAsync(int by);

    [ReadOnly]
    Task<int> GetAsync();

    [ReadOnly]
    Task<int> ReadSlowlyAsync();

    [OneWay]
    Task IncrementLaterAsync(int by);

    Task FailAsync(string message);

    Task<string> WaitAsync(TimeSpan duration, CancellationToken cancellationToken);

    Task<string?> CorrelationAsync();

    Task DeactivateAsync();
}

public sealed class CounterGrain(Probe probe) : Grain, ICounterGrain
{
    private int _count;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (probe.FailActivation)
        {
            throw new InvalidOperationException($"activation of {GrainId} refused by the test");
        }

        Interlocked.Increment(ref probe.Activations);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref probe.Deactivations);
        return Task.CompletedTask;
    }

    public async Task<int> IncrementAsync(int by)
    {
        // Read, yield, write: without one-turn-at-a-time concurrent callers would lose updates here.
        var current = _count;
        await Task.Yield();
        _count = current + by;
        return _count;
    }

    public Task<int> GetAsync() => Task.FromResult(_count);

    public async Task<int> ReadSlowlyAsync()
    {
        if (Interlocked.Increment(ref probe.ReadersRunning) == 2)
        {
            probe.ReadersInside.TrySetResult();
        }

        await probe.ReleaseReaders.Task;
        Interlocked.Decrement(ref probe.ReadersRunning);
        return _count;
    }

    public Task IncrementLaterAsync(int by) => IncrementAsync(by);

    public Task FailAsync(string message) => throw new ArgumentException(message);

    public async Task<string> WaitAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(duration, cancellationToken);
            return "finished";
        }
        catch (OperationCanceledException)
        {
            return "cancelled";
        }
    }

    public Task<string?> CorrelationAsync() => Task.FromResult(CallContext?.CorrelationId);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

[EventType("test.runtime.incremented")]
public sealed record Incremented(int By);

public sealed class CounterState
{
    public int Total { get; set; }

    public int Events { get; set; }
}

public sealed record CounterView(int Total, long Version, string? LastCorrelation);

public interface IEventCounterGrain : IGrain
{
    Task<int> IncrementAsync(int by);

    [ReadOnly]
    Task<CounterView> GetAsync();
}

public sealed class EventCounterGrain(Probe probe) : EventSourcedGrain<CounterState>, IEventCounterGrain
{
    private int _foldedSinceActivation;

    protected override CounterState Apply(CounterState state, object @event)
    {
        _foldedSinceActivation++;
        if (@event is Incremented incremented)
        {
            state.Total += incremented.By;
            state.Events++;
        }

        return state;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.FoldedOnActivation[Key] = _foldedSinceActivation;
        Interlocked.Increment(ref probe.Activations);
        return Task.CompletedTask;
    }

    public async Task<int> IncrementAsync(int by)
    {
        await RaiseAsync(new Incremented(by));
        return State.Total;
    }

    public Task<CounterView> GetAsync() => Task.FromResult(new CounterView(State.Total, Version, CallContext?.CorrelationId));
}

public interface IPingGrain : IGrain
{
    Task<string> PingAsync(string otherKey, int hops);
}

public sealed class PingGrain : Grain, IPingGrain
{
    private int _visits;

    public async Task<string> PingAsync(string otherKey, int hops)
    {
        _visits++;
        if (hops == 0)
        {
            return $"{Key}:{_visits}";
        }

        return await GrainFactory.Get<IPingGrain>(otherKey).PingAsync(Key, hops - 1);
    }
}

public interface ITickingGrain : IGrain
{
    Task StartAsync(TimeSpan period, TimeSpan workPerTick);

    Task StopAsync();
}

public sealed class TickingGrain(Probe probe) : Grain, ITickingGrain
{
    private IDisposable? _timer;

    public Task StartAsync(TimeSpan period, TimeSpan workPerTick)
    {
        _timer = RegisterTimer(async _ =>
        {
            var concurrent = Interlocked.Increment(ref probe.TimerConcurrent);
            InterlockedMax(ref probe.TimerMaxConcurrent, concurrent);
            await Task.Delay(workPerTick);
            Interlocked.Decrement(ref probe.TimerConcurrent);
            Interlocked.Increment(ref probe.TimerTicks);
        }, TimeSpan.Zero, period);
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref probe.Deactivations);
        return Task.CompletedTask;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

public interface IAlarmGrain : IGrain
{
    Task SetAsync(string name, TimeSpan due, TimeSpan period);

    Task ClearAsync(string name);
}

public sealed class AlarmGrain(Probe probe) : Grain, IAlarmGrain, IRemindable
{
    public Task SetAsync(string name, TimeSpan due, TimeSpan period) => RegisterReminderAsync(name, due, period);

    public Task ClearAsync(string name) => UnregisterReminderAsync(name);

    public Task ReceiveReminderAsync(string reminderName, ReminderTick tick)
    {
        probe.Reminders.Enqueue((Key, reminderName));
        return Task.CompletedTask;
    }
}

public interface IEchoGrain : IGrain
{
    Task<bool> RoundTripAsync(string other);

    Task PokeAsync(string caller);

    [OneWay]
    Task MarkAsync();

    [ReadOnly]
    Task<bool> MarkedAsync();
}

public sealed class EchoGrain : Grain, IEchoGrain
{
    private bool _marked;

    public async Task<bool> RoundTripAsync(string other)
    {
        await GrainFactory.Get<IEchoGrain>(other).PokeAsync(Key);
        return _marked;
    }

    public Task PokeAsync(string caller) => GrainFactory.Get<IEchoGrain>(caller).MarkAsync();

    public Task MarkAsync()
    {
        _marked = true;
        return Task.CompletedTask;
    }

    public Task<bool> MarkedAsync() => Task.FromResult(_marked);
}
