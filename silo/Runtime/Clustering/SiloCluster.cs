using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Granary.Contracts.Grains;
using Granary.Runtime.Activations;
using Granary.Runtime.Calls;
using Granary.Runtime.Directory;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Granary.Runtime.Telemetry;
using Granary.Runtime.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Clustering;

/// <summary>
/// A silo's place in the cluster: routes each call to the owner of its grain, claims grains in the directory
/// before activating them, serves calls arriving from other silos, and reacts to membership changes.
/// </summary>
/// <remarks>
/// <para><b>What happens during a membership change.</b> Every silo re-reads the membership table each heartbeat;
/// a new table version is a new <see cref="MembershipView"/>, and placement is a pure function of it (rendezvous
/// hashing over the Active silos), so silos with the same view agree on every owner without talking.</para>
/// <para><b>A silo joins</b> (Joining → Active): views that include it make it the owner of about 1/n of the
/// grains. Each old owner, on seeing that view, deactivates the activations it no longer owns
/// (<see cref="OnViewChanged"/>): the current turn finishes, the directory row is released, and calls queued
/// behind it are routed again, now to the new owner, which claims the grain and activates it from its stream.</para>
/// <para><b>A silo leaves</b> (ShuttingDown → Dead): it takes no new activations (placement skips it; its own
/// claims are refused), finishes in-flight turns, deactivates everything (releasing each row), forwards calls that
/// still reach it to the new owners, and marks itself Dead.</para>
/// <para><b>A silo dies</b>: its lease expires; peers vote and one declares it Dead. Views without it place its
/// grains on their runners-up; the first call (or reminder) for such a grain claims it — the dead holder's row
/// may be taken over, with a higher fencing token — and activates it from its event stream. Calls in flight to
/// the dead silo fail (<see cref="SiloUnavailableException"/> if never delivered, otherwise a timeout with unknown
/// outcome); nothing is retried automatically — with one exception: a call the target certainly did not run
/// because it has left (refused as not delivered, or its endpoint closed) is routed again by a freshly read view,
/// unless that view still has the target Active (<see cref="SendOrRerouteAsync"/>).</para>
/// <para><b>While views disagree</b> (a silo has not read the new version yet), a call may reach a silo that is
/// not the owner in its view: that silo forwards it, at most <see cref="ClusterOptions.MaxForwards"/> times. If
/// the owner's claim finds another live silo still holding the grain (it has not deactivated yet), the call is
/// forwarded to that holder, which serves it from its activation or — if it has none — releases its stale row and
/// forwards the call back. Either way one activation serves the grain.</para>
/// <para><b>The last guard.</b> A silo that was frozen or cut off may still hold an activation after it was
/// declared dead (a zombie). It stops serving when it cannot renew its lease, but a turn already running can
/// still try to append: the event store's expected-version check refuses it once the new owner appended, so the
/// stream never forks, skips or repeats a version; the zombie's call fails with
/// <see cref="GrainConflictException"/> and its activation deactivates.</para>
/// </remarks>
internal sealed class SiloCluster : ISiloRequestHandler, IAsyncDisposable
{
    private readonly SiloRuntime _runtime;
    private readonly ClusterOptions _options;
    private readonly GrainDirectoryTable _directory;
    private readonly ConcurrentDictionary<MethodInfo, GrainMethod> _methods = new();

    public SiloCluster(SiloRuntime runtime, ClusterOptions options, MembershipTable membership, GrainDirectoryTable directory)
    {
        _runtime = runtime;
        _options = options;
        _directory = directory;
        Membership = new MembershipService(membership, options, runtime.Options.Name, runtime.Logger);
        Membership.ViewChanged += OnViewChanged;
    }

    public MembershipService Membership { get; }

    public ClusterOptions Options => _options;

    /// <summary>The heartbeat interval in <see cref="Stopwatch"/> ticks.</summary>
    public long HeartbeatTicks => (long)(_options.HeartbeatInterval.TotalSeconds * Stopwatch.Frequency);

    public SiloAddress Self => Membership.Self;

    public GrainDirectoryTable Directory => _directory;

    /// <summary>Registers as Joining, starts listening, then becomes Active.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Membership.RegisterAsync(cancellationToken);
        await _options.Transport.BindAsync(Self, this, cancellationToken);
        await Membership.ActivateAsync(cancellationToken);
    }

    /// <summary>
    /// Decides where a call runs: null means here (this silo has the activation, or owns the grain); otherwise the
    /// returned task is the call forwarded to the owner.
    /// </summary>
    public Task<object?>? Route(GrainCall call)
    {
        if (Membership.IsTerminated)
        {
            return Task.FromException<object?>(new SiloUnavailableException($"Silo {Self} has stopped serving ({Membership.Terminated.Result.Reason}); call {call.Method.Name} on grain {call.Target} was not delivered."));
        }

        if (_runtime.Directory.TryGet(call.Target, out _))
        {
            // The local activation serves it, or, if it is leaving, hands the call back here to be routed again.
            return null;
        }

        var view = Membership.View;
        var owner = RendezvousPlacement.Owner(call.Target, view);
        if (owner is null)
        {
            return Task.FromException<object?>(new SiloUnavailableException($"No silo is Active in membership view {view}; call {call.Method.Name} on grain {call.Target} was not delivered."));
        }

        if (owner == Self)
        {
            return null;
        }

        return call.ToHolder ? ReleaseThenForwardAsync(call, owner.Value) : ForwardAsync(call, owner.Value, toHolder: false);
    }

    /// <summary>Claims an activation's grain in the directory (its fencing token), or throws <see cref="GrainHeldElsewhereException"/>.</summary>
    public async Task<long> ClaimAsync(GrainId grain, CancellationToken cancellationToken)
    {
        // Only the owner in this silo's view activates (an activation can be created here by a call that found the
        // previous one just leaving): otherwise the calls go to the owner.
        if (RendezvousPlacement.Owner(grain, Membership.View) is { } owner && owner != Self)
        {
            throw new GrainHeldElsewhereException(grain, owner);
        }

        var claim = await _directory.ClaimAsync(grain, Self, cancellationToken);
        return claim.Holder is { } holder ? throw new GrainHeldElsewhereException(grain, holder) : claim.Fence;
    }

    /// <summary>Releases a departing activation's claim (best effort: a failure leaves a row the next claimant repairs).</summary>
    public async Task ReleaseAsync(Activation activation)
    {
        try
        {
            await _directory.ReleaseAsync(activation.Id, Self, activation.Fence, CancellationToken.None);
        }
        catch (Exception exception)
        {
            _runtime.Logger.LogWarning(exception, "Silo {Silo} could not release grain {Grain} (fence {Fence}) in the directory", Self, activation.Id, activation.Fence);
        }
    }

    /// <summary>Sends a call to another silo, with its context in headers, within its deadline.</summary>
    public Task<object?> ForwardAsync(GrainCall call, SiloAddress target, bool toHolder)
    {
        var forwards = call.IsInbound ? call.Forwards + 1 : 0;
        if (forwards > _options.MaxForwards)
        {
            return Task.FromException<object?>(new SiloUnavailableException(
                $"Call {call.Method.Name} on grain {call.Target} was forwarded {_options.MaxForwards} times without reaching its activation (silos' membership views disagree, last hop {Self} → {target}); it did not run, retry it."));
        }

        return SendOrRerouteAsync(call, target, forwards, toHolder);
    }

    /// <summary>
    /// Sends a call; if it was certainly not delivered because the target has left the cluster (a membership change
    /// this silo had not read yet, e.g. a peer that finished a graceful leave), routes it again by a fresh view. That
    /// retry is safe: the call never ran. A target still Active in the fresh view is a real failure and surfaces.
    /// </summary>
    private async Task<object?> SendOrRerouteAsync(GrainCall call, SiloAddress target, int forwards, bool toHolder)
    {
        try
        {
            return await SendAsync(call, target, forwards, toHolder);
        }
        catch (SiloUnavailableException) when (forwards < _options.MaxForwards && !Membership.IsTerminated && !call.CallerCancellation.IsCancellationRequested)
        {
            if (await TryRefreshAsync() is not { } view || view.StatusOf(target) == SiloStatus.Active)
            {
                throw;
            }

            var again = new GrainCall(_runtime, call.Target, call.Method, call.Arguments, call.Caller, call.Deadline, call.ParentActivity)
            {
                IsInbound = true,
                Forwards = forwards,
            };
            return await _runtime.Deliver(again);
        }
    }

    private async Task<MembershipView?> TryRefreshAsync()
    {
        try
        {
            return await Membership.RefreshAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return null;
        }
    }

    private async Task<object?> ReleaseThenForwardAsync(GrainCall call, SiloAddress owner)
    {
        // The owner's claim found this silo holding the grain, but it has no activation: the row is stale.
        await _directory.ReleaseStaleAsync(call.Target, Self, CancellationToken.None);
        return await ForwardAsync(call, owner, toHolder: false);
    }

    private async Task<object?> SendAsync(GrainCall call, SiloAddress target, int forwards, bool toHolder)
    {
        var caller = call.Caller;
        using var activity = RuntimeTracing.Source.StartActivity(call.Method.Name, ActivityKind.Client, call.ParentActivity);
        activity?.SetTag("granary.grain", call.Target.ToString());
        activity?.SetTag("granary.silo.target", target.ToString());
        var trace = activity?.Context ?? call.ParentActivity;
        var headers = new CallHeaders(
            caller?.CorrelationId,
            caller?.MessageId,
            caller?.Actor,
            trace.TraceId == default ? null : $"00-{trace.TraceId}-{trace.SpanId}-{(trace.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? "01" : "00")}",
            trace.TraceState,
            call.Deadline == long.MaxValue ? null : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), call.Deadline),
            caller?.Chain is { } chain ? Flatten(chain) : []);
        var arguments = call.Arguments;
        if (call.Method.CancellationTokenIndex >= 0)
        {
            // A token cannot cross silos; the receiver puts its own (cancelled when this send is) in the slot.
            arguments = (object?[])arguments.Clone();
            arguments[call.Method.CancellationTokenIndex] = null;
        }

        using var cancellation = call.Deadline == long.MaxValue && !call.CallerCancellation.CanBeCanceled ? null : CancellationTokenSource.CreateLinkedTokenSource(call.CallerCancellation);
        if (cancellation is not null && headers.Timeout is { } timeout)
        {
            cancellation.CancelAfter(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
        }

        return await _options.Transport.SendAsync(target, new SiloRequest(call.Target, call.Method.Method, arguments, headers, forwards, toHolder), cancellation?.Token ?? CancellationToken.None);
    }

    /// <inheritdoc />
    public Task<object?> HandleAsync(SiloRequest request, CancellationToken cancellationToken)
    {
        var method = _methods.GetOrAdd(request.Method, GrainMethod.Create);
        var headers = request.Headers;
        var deadline = headers.Timeout is { } timeout ? Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        CallChain? chain = null;
        for (var i = headers.Chain.Count - 1; i >= 0; i--)
        {
            chain = new CallChain(headers.Chain[i], chain);
        }

        var caller = headers.CausationId is null && headers.CorrelationId is null
            ? null
            : new GrainCallContext(headers.CorrelationId, causationId: null, headers.CausationId, headers.Actor, chain, deadline);
        var arguments = request.Arguments;
        if (method.CancellationTokenIndex >= 0)
        {
            arguments[method.CancellationTokenIndex] = cancellationToken;
        }

        ActivityContext.TryParse(headers.TraceParent, headers.TraceState, out var parent);
        var call = new GrainCall(_runtime, request.Target, method, arguments, caller, deadline, parent)
        {
            IsInbound = true,
            Forwards = request.Forwards,
            ToHolder = request.ToHolder,
        };
        return _runtime.Deliver(call);
    }

    /// <summary>Hands over the activations this silo no longer owns in <paramref name="view"/> (see the remarks above).</summary>
    private void OnViewChanged(MembershipView view)
    {
        if (view.StatusOf(Self) != SiloStatus.Active || view.ActiveSilos.IsEmpty)
        {
            return;
        }

        foreach (var activation in _runtime.Directory.All)
        {
            if (RendezvousPlacement.Owner(activation.Id, view) is { } owner && owner != Self)
            {
                activation.RequestDeactivation();
            }
        }
    }

    /// <summary>Graceful leave, first half: ShuttingDown, so placement (here and, at their next heartbeat, on peers) skips this silo.</summary>
    public Task BeginLeaveAsync(CancellationToken cancellationToken) => Membership.BeginLeaveAsync(cancellationToken);

    /// <summary>Graceful leave, second half (after every activation left): Dead, and stop listening.</summary>
    public async Task CompleteLeaveAsync(CancellationToken cancellationToken)
    {
        await Membership.CompleteLeaveAsync(cancellationToken);
        await _options.Transport.UnbindAsync();
    }

    private static GrainId[] Flatten(CallChain chain)
    {
        var grains = new List<GrainId>();
        for (var link = chain; link is not null; link = link.Outer)
        {
            grains.Add(link.Grain);
        }

        return [.. grains];
    }

    public async ValueTask DisposeAsync()
    {
        Membership.ViewChanged -= OnViewChanged;
        await Membership.DisposeAsync();
        await _options.Transport.UnbindAsync();
    }
}
