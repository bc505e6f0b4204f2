using System.Diagnostics;
using Granary.Contracts.Grains;
using Granary.Runtime.Activations;
using Granary.Runtime.Telemetry;

namespace Granary.Runtime.Calls;

/// <summary>A message to a grain: method, arguments, the caller's context, a deadline, and where the result goes.</summary>
internal sealed class GrainCall : WorkItem
{
    private readonly SiloRuntime _runtime;
    private readonly GrainCallContext? _caller;
    private readonly ActivityContext _parentActivity;
    private readonly long _created = Stopwatch.GetTimestamp();
    private TaskCompletionSource<object?>? _completion;

    public GrainCall(SiloRuntime runtime, GrainId target, GrainMethod method, object?[] arguments, GrainCallContext? caller, long deadline, ActivityContext? parentActivity = null)
    {
        _runtime = runtime;
        Target = target;
        Method = method;
        Arguments = arguments;
        _caller = caller;
        Deadline = deadline;
        _parentActivity = parentActivity ?? Activity.Current?.Context ?? default;
        CallerCancellation = method.CancellationTokenIndex >= 0 && arguments[method.CancellationTokenIndex] is CancellationToken token ? token : CancellationToken.None;
    }

    public GrainId Target { get; }

    public GrainMethod Method { get; }

    public object?[] Arguments { get; }

    /// <summary>The <see cref="Stopwatch"/> timestamp after which the caller has given up.</summary>
    public long Deadline { get; }

    public CancellationToken CallerCancellation { get; }

    /// <summary>The context of the call or turn that made this call (null for a root call).</summary>
    public GrainCallContext? Caller => _caller;

    /// <summary>The caller's trace span.</summary>
    public ActivityContext ParentActivity => _parentActivity;

    /// <summary>Whether the call arrived from another silo.</summary>
    public bool IsInbound { get; init; }

    /// <summary>How many times the call was forwarded between silos before arriving here.</summary>
    public int Forwards { get; init; }

    /// <summary>Whether the sender's claim found this silo holding the grain.</summary>
    public bool ToHolder { get; init; }

    /// <summary>How long the caller allowed, for error messages.</summary>
    public TimeSpan Timeout => Deadline == long.MaxValue ? System.Threading.Timeout.InfiniteTimeSpan : Stopwatch.GetElapsedTime(_created, Deadline);

    /// <summary>
    /// Whether the caller's chain already passes through the target (a call cycle that must re-enter). A one-way
    /// call never re-enters: nobody waits for it, so it cannot deadlock, and it takes a turn of its own.
    /// </summary>
    public bool IsReentrant => !Method.IsOneWay && _caller?.Chain?.Contains(Target) == true;

    public override bool IsReadOnly => Method.IsReadOnly;

    /// <summary>Where a queued call's result goes (made on first use: inline calls never need it).</summary>
    public Task<object?> Completion => CompletionSource.Task;

    private TaskCompletionSource<object?> CompletionSource => LazyInitializer.EnsureInitialized(
        ref _completion, static () => new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously));

    public override async Task RunAsync(Activation activation)
    {
        var completion = CompletionSource;
        if (Stopwatch.GetTimestamp() > Deadline || CallerCancellation.IsCancellationRequested)
        {
            // The caller already gave up while the call waited in the mailbox: do not run it late.
            completion.TrySetCanceled();
            return;
        }

        try
        {
            completion.TrySetResult(await ExecuteAsync(activation));
        }
        catch (Exception exception)
        {
            completion.TrySetException(exception);
        }
    }

    /// <summary>Runs the method on the activation's grain as the current turn (or inline, for read-only and re-entrant calls).</summary>
    public async Task<object?> ExecuteAsync(Activation activation)
    {
        GrainCallContext.Current = new GrainCallContext(
            _caller?.CorrelationId,
            _caller?.MessageId,
            messageId: null,
            _caller?.Actor,
            new CallChain(Target, Method.IsOneWay ? null : _caller?.Chain),
            Deadline);
        using var activity = RuntimeTracing.Source.StartActivity(Method.Name, ActivityKind.Server, _parentActivity);
        activity?.SetTag("granary.grain", Target.ToString());
        var started = Stopwatch.GetTimestamp();
        CancellationTokenSource? cancellation = null;
        try
        {
            if (Method.CancellationTokenIndex >= 0)
            {
                cancellation = CancellationTokenSource.CreateLinkedTokenSource(CallerCancellation, _runtime.StoppingToken);
                if (Deadline != long.MaxValue)
                {
                    var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Deadline);
                    cancellation.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                }

                Arguments[Method.CancellationTokenIndex] = cancellation.Token;
            }

            var result = await Method.Invoke(activation.Grain, Arguments);
            if (cancellation is { IsCancellationRequested: true } && !CallerCancellation.IsCancellationRequested && Stopwatch.GetTimestamp() >= Deadline)
            {
                // The grain stopped because its deadline passed: the caller has (or is about to have) given up,
                // so the outcome is a timeout whatever the grain returned.
                throw new GrainCallTimeoutException(Target, Method.Name, Timeout);
            }

            return result;
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            var failure = DatabaseUnavailableException.ForCaller(exception, Target, Method.Name, Method.IsReadOnly, ran: true, _runtime.EventStore.DataSource);
            if (ReferenceEquals(failure, exception))
            {
                throw;
            }

            throw failure;
        }
        finally
        {
            cancellation?.Dispose();
            _runtime.Metrics.CallCompleted(Method, Stopwatch.GetElapsedTime(started));
        }
    }

    public override void Abandon(Activation activation, Exception? reason)
    {
        if (reason is null)
        {
            // The activation left before this call's turn: deliver it to the grain's next activation.
            _ = _runtime.RedeliverAsync(this);
            return;
        }

        if (reason is Clustering.GrainHeldElsewhereException held && _runtime.Cluster is { } cluster)
        {
            // The claim found another live silo holding the grain: the call goes to that silo's activation.
            CompleteFrom(cluster.ForwardAsync(this, held.Holder, toHolder: true));
            return;
        }

        CompletionSource.TrySetException(DatabaseUnavailableException.ForCaller(reason, Target, Method.Name, Method.IsReadOnly, ran: false, _runtime.EventStore.DataSource));
    }

    /// <summary>Hands a queued call's outcome over from a redelivery.</summary>
    public void CompleteFrom(Task<object?> outcome) => _ = CompleteFromAsync(outcome);

    private async Task CompleteFromAsync(Task<object?> outcome)
    {
        try
        {
            CompletionSource.TrySetResult(await outcome);
        }
        catch (OperationCanceledException)
        {
            CompletionSource.TrySetCanceled();
        }
        catch (Exception exception)
        {
            CompletionSource.TrySetException(exception);
        }
    }
}
