using System.Diagnostics;
using Granary.Contracts.Grains;
using Granary.Runtime.Timers;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Activations;

/// <summary>
/// One live instance of a grain and its mailbox. Turns run one at a time; read-only calls may run together
/// (never alongside a mutating turn); a call whose chain already passes through this grain re-enters instead
/// of waiting for the turn that is waiting for it, so call cycles cannot deadlock.
/// </summary>
internal sealed class Activation
{
    private readonly Lock _gate = new();
    private readonly SiloRuntime _runtime;
    private Queue<WorkItem>? _queue;
    private List<GrainTimer>? _timers;
    private TaskCompletionSource? _gone;
    private ActivationState _state;
    private bool _pumpScheduled;
    private bool _deactivateNext;
    private bool _turnRunning;
    private int _readersRunning;
    private long _lastActive;

    public Activation(GrainId id, Grain grain, SiloRuntime runtime)
    {
        Id = id;
        Grain = grain;
        _runtime = runtime;
        _lastActive = Stopwatch.GetTimestamp();
        grain.Attach(this, runtime);
    }

    public GrainId Id { get; }

    public Grain Grain { get; }

    /// <summary>The fencing token of this activation's claim in the cluster's grain directory (0 for a single silo).</summary>
    public long Fence { get; private set; }

    public ActivationState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Messages waiting for a turn.</summary>
    public int QueueLength
    {
        get
        {
            lock (_gate)
            {
                return _queue?.Count ?? 0;
            }
        }
    }

    /// <summary>How long since the last turn ended.</summary>
    public TimeSpan IdleFor => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActive));

    /// <summary>Whether nothing is queued or running.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _state == ActivationState.Active && !_turnRunning && _readersRunning == 0 && (_queue is null || _queue.Count == 0);
            }
        }
    }

    /// <summary>Completes once the activation has left the directory.</summary>
    public Task Gone
    {
        get
        {
            lock (_gate)
            {
                _gone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_state == ActivationState.Deactivated)
                {
                    _gone.TrySetResult();
                }

                return _gone.Task;
            }
        }
    }

    public void Touch() => Volatile.Write(ref _lastActive, Stopwatch.GetTimestamp());

    /// <summary>How an enqueue went: run inline now, queued, or refused because the activation is leaving.</summary>
    public enum Admission
    {
        RunNow,
        Queued,
        Refused,
    }

    /// <summary>Admits an item. <see cref="Admission.RunNow"/> means the caller must run it at once (read-only or re-entrant).</summary>
    public Admission Admit(WorkItem item, bool reentrant)
    {
        lock (_gate)
        {
            if (_state >= ActivationState.Deactivating)
            {
                return Admission.Refused;
            }

            if (reentrant && _state is ActivationState.Active or ActivationState.Activating)
            {
                return Admission.RunNow;
            }

            if (item.IsReadOnly && _state == ActivationState.Active && !_turnRunning && (_queue is null || _queue.Count == 0))
            {
                _readersRunning++;
                return Admission.RunNow;
            }

            (_queue ??= new Queue<WorkItem>()).Enqueue(item);
            SchedulePumpLocked();
            return Admission.Queued;
        }
    }

    /// <summary>A read-only item admitted with <see cref="Admission.RunNow"/> finished.</summary>
    public void ReaderDone()
    {
        lock (_gate)
        {
            _readersRunning--;
            SchedulePumpLocked();
        }
    }

    /// <summary>Queues a deactivation turn: after the turns before it, the grain deactivates and later calls get a new activation.</summary>
    public void RequestDeactivation() => Admit(new Deactivation(), reentrant: false);

    /// <summary>
    /// Deactivates right after the current turn, ahead of queued calls, which then go to a fresh activation
    /// (used when this activation's state is known to be stale).
    /// </summary>
    public void DeactivateAfterCurrentTurn()
    {
        lock (_gate)
        {
            if (_state >= ActivationState.Deactivating)
            {
                return;
            }

            _deactivateNext = true;
            (_queue ??= new Queue<WorkItem>()).Enqueue(new Deactivation());
            SchedulePumpLocked();
        }
    }

    public void AddTimer(GrainTimer timer)
    {
        lock (_gate)
        {
            if (_state >= ActivationState.Deactivating)
            {
                throw new InvalidOperationException($"Grain {Id} is deactivating; it cannot register timers.");
            }

            (_timers ??= []).Add(timer);
        }
    }

    public void RemoveTimer(GrainTimer timer)
    {
        lock (_gate)
        {
            _timers?.Remove(timer);
        }
    }

    private void SchedulePumpLocked()
    {
        if (_pumpScheduled || _turnRunning || _queue is null || _queue.Count == 0)
        {
            return;
        }

        // A mutating turn waits for running readers; the last reader reschedules the pump.
        if (_readersRunning > 0 && !_queue.Peek().IsReadOnly)
        {
            return;
        }

        _pumpScheduled = true;

        // Unsafe: the caller's ExecutionContext (its call context) must not leak into this grain's turns.
        ThreadPool.UnsafeQueueUserWorkItem(static activation => _ = activation.PumpAsync(), this, preferLocal: false);
    }

    private async Task PumpAsync()
    {
        if (State == ActivationState.Created && !await ActivateAsync())
        {
            return;
        }

        while (true)
        {
            WorkItem item;
            lock (_gate)
            {
                if (_queue is null || _queue.Count == 0 || _state == ActivationState.Deactivated)
                {
                    _pumpScheduled = false;
                    return;
                }

                if (_deactivateNext && _readersRunning == 0)
                {
                    _deactivateNext = false;
                    item = new Deactivation();
                    _turnRunning = true;
                }
                else if (_deactivateNext)
                {
                    _pumpScheduled = false;
                    return;
                }
                else if (_queue.Peek().IsReadOnly)
                {
                    item = _queue.Dequeue();
                    _readersRunning++;
                    RunReader(item);
                    continue;
                }
                else if (_readersRunning > 0)
                {
                    _pumpScheduled = false;
                    return;
                }
                else
                {
                    item = _queue.Dequeue();
                    _turnRunning = true;
                }
            }

            await item.RunAsync(this);
            Touch();
            lock (_gate)
            {
                _turnRunning = false;
            }
        }
    }

    private void RunReader(WorkItem item) => _ = RunReaderAsync(item);

    private async Task RunReaderAsync(WorkItem item)
    {
        await Task.Yield();
        try
        {
            await item.RunAsync(this);
        }
        finally
        {
            Touch();
            ReaderDone();
        }
    }

    private async Task<bool> ActivateAsync()
    {
        lock (_gate)
        {
            _state = ActivationState.Activating;
        }

        using var scope = _runtime.BeginTurnContext(Id, "activate");
        try
        {
            if (_runtime.Cluster is { } cluster)
            {
                // Claim before loading state: only the claimant may run turns, and the claim's fence outranks every earlier one.
                Fence = await cluster.ClaimAsync(Id, _runtime.StoppingToken);
            }

            await Grain.ActivateCoreAsync(_runtime.StoppingToken);
            lock (_gate)
            {
                _state = ActivationState.Active;
            }

            _runtime.Metrics.Activated(Id.Kind);
            return true;
        }
        catch (Exception exception)
        {
            if (exception is not Clustering.GrainHeldElsewhereException)
            {
                _runtime.Logger.LogWarning(exception, "Grain {Grain} failed to activate", Id);
            }

            if (Fence != 0 && _runtime.Cluster is { } claimed)
            {
                await claimed.ReleaseAsync(this);
            }

            var abandoned = Leave();
            foreach (var item in abandoned)
            {
                item.Abandon(this, exception);
            }

            return false;
        }
    }

    /// <summary>Runs the deactivation turn: OnDeactivateAsync, timers off, out of the directory; queued calls go to a fresh activation.</summary>
    private async Task DeactivateAsync()
    {
        lock (_gate)
        {
            if (_state != ActivationState.Active)
            {
                return;
            }

            _state = ActivationState.Deactivating;
        }

        using (_runtime.BeginTurnContext(Id, "deactivate"))
        {
            try
            {
                await Grain.OnDeactivateAsync(_runtime.StoppingToken);
            }
            catch (Exception exception)
            {
                _runtime.Logger.LogWarning(exception, "Grain {Grain} failed in OnDeactivateAsync; it is deactivated anyway", Id);
            }
        }

        if (_runtime.Cluster is { } cluster)
        {
            // Released before leaving the directory, so calls handed on below find the grain free at its new owner.
            await cluster.ReleaseAsync(this);
        }

        var leftovers = Leave();
        _runtime.Metrics.Deactivated(Id.Kind);
        foreach (var item in leftovers)
        {
            // Calls that arrived behind the deactivation are delivered again, to a new activation.
            item.Abandon(this, null);
        }
    }

    private List<WorkItem> Leave()
    {
        // Out of the directory first, so callers woken by Gone find a fresh activation, not this one.
        _runtime.Directory.Remove(this);
        List<WorkItem> leftovers;
        List<GrainTimer>? timers;
        lock (_gate)
        {
            _state = ActivationState.Deactivated;
            leftovers = _queue is null ? [] : [.. _queue];
            _queue?.Clear();
            timers = _timers;
            _timers = null;
            _gone?.TrySetResult();
        }

        if (timers is not null)
        {
            foreach (var timer in timers)
            {
                timer.Dispose();
            }
        }

        return leftovers;
    }

    private sealed class Deactivation : WorkItem
    {
        public override Task RunAsync(Activation activation) => activation.DeactivateAsync();

        public override void Abandon(Activation activation, Exception? reason)
        {
        }
    }
}
