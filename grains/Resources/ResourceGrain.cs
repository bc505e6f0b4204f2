using System.Text.Json;
using Granary.Contracts.Events;
using Granary.Runtime;

namespace Granary.Grains.Resources;

/// <summary>
/// The part every resource grain shares: spec-change detection, the reconcile timer and its durable reminder,
/// suspend and resume recorded with the actor.
/// </summary>
public abstract class ResourceGrain<TState> : EventSourcedGrain<TState>, Granary.Contracts.Grains.IRemindable
    where TState : ResourceState, new()
{
    private const string ReminderName = "reconcile";
    private static readonly JsonSerializerOptions SpecJson = new(JsonSerializerDefaults.Web);
    private IDisposable? _timer;

    /// <summary>The resource kind, for messages.</summary>
    protected abstract string KindName { get; }

    /// <summary>The reconcile period now (interval, or retry interval after a failure); null when nothing is to run.</summary>
    protected abstract TimeSpan? ReconcilePeriod { get; }

    /// <summary>Whether reconciling is off: suspended through the API or by <c>spec.suspend</c>.</summary>
    protected abstract bool IsSuspended { get; }

    /// <summary>One reconcile pass.</summary>
    protected abstract Task ReconcileOnceAsync(CancellationToken cancellationToken);

    /// <summary>The namespace part of the key.</summary>
    protected string Namespace => Key[..Key.IndexOf('/')];

    /// <summary>The name part of the key.</summary>
    protected string Name => Key[(Key.IndexOf('/') + 1)..];

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Schedule(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    /// <summary>The reminder only guarantees an activation after restarts; the activation's timer does the work.</summary>
    public Task ReceiveReminderAsync(string reminderName, Granary.Contracts.Grains.ReminderTick tick)
    {
        Schedule(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    /// <summary>Stops reconciling, recording the actor and reason.</summary>
    public async Task SuspendAsync(string? reason)
    {
        RequireExists();
        if (!State.Suspended)
        {
            await RaiseAsync(new Suspended(reason));
        }
    }

    /// <summary>Starts reconciling again.</summary>
    public async Task ResumeAsync()
    {
        RequireExists();
        if (State.Suspended)
        {
            await RaiseAsync(new Resumed());
            Schedule(TimeSpan.Zero);
        }
    }

    /// <summary>Records that someone asked for a reconcile now (the actor comes from the call context).</summary>
    protected Task RecordReconcileRequestAsync(bool withSource)
    {
        RequireExists();
        return RaiseAsync(new ReconcileRequested(withSource));
    }

    /// <summary>Records the deletion and stops the timer and reminder; the grain cleans up what it owns first.</summary>
    protected async Task RecordDeletedAsync()
    {
        await RaiseAsync(new Deleted());
        await StopReconcilingAsync();
    }

    /// <summary>Whether <paramref name="spec"/> or <paramref name="labels"/> differ from what was last applied.</summary>
    protected bool SpecChanged(object? current, object spec, Dictionary<string, string>? labels) =>
        !State.Exists
        || JsonSerializer.Serialize(current, SpecJson) != JsonSerializer.Serialize(spec, SpecJson)
        || JsonSerializer.Serialize(State.Labels, SpecJson) != JsonSerializer.Serialize(labels, SpecJson);

    /// <summary>Registers the durable reminder at the spec's interval (at least a second).</summary>
    protected Task KeepAliveAsync(TimeSpan interval)
    {
        var period = Max(interval, TimeSpan.FromSeconds(1));
        return RegisterReminderAsync(ReminderName, period, period);
    }

    /// <summary>Stops the timer and the reminder (on delete).</summary>
    protected async Task StopReconcilingAsync()
    {
        _timer?.Dispose();
        _timer = null;
        await UnregisterReminderAsync(ReminderName);
    }

    /// <summary>(Re)starts the reconcile timer after <paramref name="dueTime"/> at <see cref="ReconcilePeriod"/>.</summary>
    protected void Schedule(TimeSpan dueTime)
    {
        _timer?.Dispose();
        _timer = null;
        if (State.Exists && ReconcilePeriod is { } period)
        {
            _timer = RegisterTimer(ReconcileOnceAsync, dueTime, Max(period, TimeSpan.FromSeconds(1)));
        }
    }

    /// <summary>Throws unless the resource exists.</summary>
    protected void RequireExists()
    {
        if (!State.Exists)
        {
            throw new InvalidOperationException($"{KindName} {Key} does not exist; apply it first.");
        }
    }

    /// <summary>The longer of two spans.</summary>
    protected static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
