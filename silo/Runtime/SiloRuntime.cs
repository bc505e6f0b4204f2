using System.Diagnostics;
using Granary.Contracts.Grains;
using Granary.EventStore;
using Granary.Runtime.Activations;
using Granary.Runtime.Calls;
using Granary.Runtime.Reminders;
using Granary.Runtime.Telemetry;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime;

/// <summary>
/// The inside of a silo: the activation directory, the local dispatcher, and the services grains use
/// (event store, reminders, metrics). Calls are delivered through <see cref="CallAsync"/>, the seam a
/// distributed dispatcher will route across silos.
/// </summary>
internal sealed class SiloRuntime : IGrainCallDispatcher, IGrainFactory
{
    private static readonly Task<object?> CompletedNull = Task.FromResult<object?>(null);

    private readonly CancellationTokenSource _stopping = new();
    private readonly long _callTimeoutTicks;

    public SiloRuntime(SiloOptions options, PostgresEventStore eventStore, ReminderTable reminders, ILogger logger)
    {
        Options = options;
        EventStore = eventStore;
        Reminders = reminders;
        Logger = logger;
        Directory = new ActivationDirectory();
        Metrics = new RuntimeMetrics(options.Name, () => Directory.Count, () => Directory.All.Sum(a => (long)a.QueueLength));
        _callTimeoutTicks = options.CallTimeout == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)(options.CallTimeout.TotalSeconds * Stopwatch.Frequency);
    }

    public SiloOptions Options { get; }

    public PostgresEventStore EventStore { get; }

    public ReminderTable Reminders { get; }

    public ILogger Logger { get; }

    public ActivationDirectory Directory { get; }

    public RuntimeMetrics Metrics { get; }

    public CancellationToken StoppingToken => _stopping.Token;

    /// <summary>This silo's place in a cluster; null for a single silo (every call then runs here).</summary>
    public Clustering.SiloCluster? Cluster { get; set; }

    /// <inheritdoc />
    public TGrainInterface Get<TGrainInterface>(string key) where TGrainInterface : IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var grainInterface = Options.Grains.Interface(typeof(TGrainInterface));
        return (TGrainInterface)GrainProxy.Create(grainInterface, new GrainId(grainInterface.Kind, key), this);
    }

    /// <inheritdoc />
    public TGrainInterface Get<TGrainInterface>(GrainId id) where TGrainInterface : IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(id.Key);
        return (TGrainInterface)GrainProxy.Create(Options.Grains.Interface(typeof(TGrainInterface)), id, this);
    }

    /// <inheritdoc />
    public Task<object?> CallAsync(GrainId target, GrainMethod method, object?[] arguments)
    {
        var caller = GrainCallContext.Current;
        var now = Stopwatch.GetTimestamp();
        var deadline = _callTimeoutTicks == long.MaxValue ? long.MaxValue : now + _callTimeoutTicks;
        if (caller is not null && caller.Deadline < deadline)
        {
            deadline = caller.Deadline;
        }

        var call = new GrainCall(this, target, method, arguments, caller, deadline);
        var outcome = Deliver(call);
        if (method.IsOneWay)
        {
            _ = ObserveOneWayAsync(call, outcome);
            return CompletedNull;
        }

        return outcome.IsCompleted || deadline == long.MaxValue && !call.CallerCancellation.CanBeCanceled
            ? outcome
            : WithDeadlineAsync(call, outcome);
    }

    /// <summary>Delivers a call that lost its activation to the grain's next activation.</summary>
    public async Task RedeliverAsync(GrainCall call)
    {
        await Task.Yield();
        var outcome = Deliver(call);
        if (!ReferenceEquals(outcome, call.Completion))
        {
            call.CompleteFrom(outcome);
        }
    }

    /// <summary>Sets a fresh root call context for a turn the runtime starts itself (activation, timer, reminder).</summary>
    public IDisposable BeginTurnContext(GrainId grain, string what)
    {
        var previous = GrainCallContext.Current;
        var id = GrainCallContext.NewId();
        GrainCallContext.Current = new GrainCallContext($"{what}:{id}", null, id, grain.ToString(), new CallChain(grain, null), long.MaxValue);
        return new ContextRestore(previous);
    }

    public void Stop() => _stopping.Cancel();

    /// <summary>Delivers a call to its grain's activation here, or (in a cluster) to the silo that owns the grain.</summary>
    public Task<object?> Deliver(GrainCall call)
    {
        if (Cluster?.Route(call) is { } forwarded)
        {
            return forwarded;
        }

        var reentrant = call.IsReentrant;
        while (true)
        {
            var activation = Directory.GetOrAdd(call.Target, CreateActivation);
            switch (activation.Admit(call, reentrant))
            {
                case Activation.Admission.RunNow:
                    return reentrant || !call.IsReadOnly ? call.ExecuteAsync(activation) : RunReaderAsync(call, activation);
                case Activation.Admission.Queued:
                    return call.Completion;
                case Activation.Admission.Refused when !activation.Gone.IsCompleted:
                    return DeliverAfterAsync(activation.Gone, call);
                default:
                    continue;
            }
        }
    }

    private async Task<object?> DeliverAfterAsync(Task gone, GrainCall call)
    {
        await gone;
        return await Deliver(call);
    }

    private static async Task<object?> RunReaderAsync(GrainCall call, Activation activation)
    {
        try
        {
            return await call.ExecuteAsync(activation);
        }
        finally
        {
            activation.Touch();
            activation.ReaderDone();
        }
    }

    private Activation CreateActivation(GrainId id) => new(id, Options.Grains.CreateGrain(id.Kind), this);

    private async Task<object?> WithDeadlineAsync(GrainCall call, Task<object?> outcome)
    {
        var remaining = call.Deadline == long.MaxValue ? Timeout.InfiniteTimeSpan : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), call.Deadline);
        try
        {
            var result = await outcome.WaitAsync(remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining, call.CallerCancellation);

            // The grain's token fires at the same deadline, so a grain may answer (having seen its cancellation) a moment
            // before the wait above times out: an answer at or after the deadline is a timeout all the same.
            return call.Deadline != long.MaxValue && Stopwatch.GetTimestamp() >= call.Deadline
                ? throw new GrainCallTimeoutException(call.Target, call.Method.Name, call.Timeout)
                : result;
        }
        catch (TimeoutException)
        {
            throw new GrainCallTimeoutException(call.Target, call.Method.Name, call.Timeout);
        }
        catch (TaskCanceledException) when (outcome.IsCanceled && !call.CallerCancellation.IsCancellationRequested)
        {
            // The call expired in the mailbox and was dropped unrun.
            throw new GrainCallTimeoutException(call.Target, call.Method.Name, call.Timeout);
        }
    }

    /// <summary>
    /// Watches a one-way call nobody awaits. One that certainly was not delivered (its grain's silo left or died and
    /// the view has not caught up yet) is delivered again, a heartbeat later, until its deadline (at most 60 times): the caller cannot
    /// retry what it never sees fail, and a notification lost to a failover would leave its grain behind until its
    /// next reminder. Any other failure is logged; the call may have run.
    /// </summary>
    private async Task ObserveOneWayAsync(GrainCall call, Task<object?> outcome)
    {
        const int MaxRedeliveries = 60;
        for (var redeliveries = 0; ; redeliveries++)
        {
            try
            {
                await outcome;
                return;
            }
            catch (SiloUnavailableException exception) when (redeliveries < MaxRedeliveries && !_stopping.IsCancellationRequested && Cluster is { } cluster
                && !cluster.Membership.IsTerminated && Stopwatch.GetTimestamp() + cluster.HeartbeatTicks < call.Deadline)
            {
                Logger.LogInformation("One-way call {Method} on grain {Grain} was not delivered ({Reason}); delivering it again in {Delay}", call.Method.Name, call.Target, exception.Message, cluster.Options.HeartbeatInterval);
                try
                {
                    await Task.Delay(cluster.Options.HeartbeatInterval, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                call = new GrainCall(this, call.Target, call.Method, call.Arguments, call.Caller, call.Deadline, call.ParentActivity);
                outcome = Deliver(call);
            }
            catch (Exception exception)
            {
                Logger.LogWarning(exception, "One-way call {Method} on grain {Grain} failed", call.Method.Name, call.Target);
                return;
            }
        }
    }

    private sealed class ContextRestore(GrainCallContext? previous) : IDisposable
    {
        public void Dispose() => GrainCallContext.Current = previous;
    }
}
