using Granary.Contracts.Grains;
using Granary.Runtime.Activations;
using Granary.Runtime.Calls;
using Granary.Runtime.Timers;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime;

/// <summary>
/// The base of every grain class: its identity, the grain factory, lifecycle hooks, timers, durable reminders.
/// A grain's code runs one turn at a time, so it needs no locks.
/// </summary>
public abstract class Grain
{
    private Activation? _activation;
    private SiloRuntime? _runtime;

    /// <summary>This grain's identity.</summary>
    public GrainId GrainId => Activation.Id;

    /// <summary>This grain's key (for a namespaced resource, <c>namespace/name</c>).</summary>
    protected string Key => Activation.Id.Key;

    /// <summary>References to other grains.</summary>
    protected IGrainFactory GrainFactory => Runtime;

    /// <summary>The context of the current call or turn (correlation, causation, actor).</summary>
    protected static GrainCallContext? CallContext => GrainCallContext.Current;

    /// <summary>Content-addressed storage for large payloads (artifacts, rendered manifests); events carry the digests.</summary>
    protected Granary.EventStore.Blobs.BlobStore Blobs => Runtime.EventStore.Blobs;

    /// <summary>The silo's logger.</summary>
    protected ILogger Logger => Runtime.Logger;

    private protected Activation Activation => _activation ?? throw new InvalidOperationException($"{GetType().Name} is not activated by a silo; grains are created by the runtime, not with new.");

    private protected SiloRuntime Runtime => _runtime ?? throw new InvalidOperationException($"{GetType().Name} is not activated by a silo.");

    internal void Attach(Activation activation, SiloRuntime runtime)
    {
        _activation = activation;
        _runtime = runtime;
    }

    /// <summary>Runs as the activation's first turn, before any call.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs as the activation's last turn (idle, on request, or silo shutdown).</summary>
    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The runtime's activation step; event-sourced grains load their state here first.</summary>
    internal virtual Task ActivateCoreAsync(CancellationToken cancellationToken) => OnActivateAsync(cancellationToken);

    /// <summary>
    /// Runs <paramref name="callback"/> as a turn after <paramref name="dueTime"/>, then every <paramref name="period"/>
    /// after the previous tick finished (ticks never overlap). Dispose to stop; deactivation stops it too.
    /// </summary>
    protected IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(Activation, Runtime, callback, dueTime, period);
        Activation.AddTimer(timer);
        timer.Start();
        return timer;
    }

    /// <summary>Registers (or replaces) a durable reminder: delivered to <see cref="IRemindable"/> even after deactivation or a restart.</summary>
    protected Task RegisterReminderAsync(string name, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken = default)
    {
        if (this is not IRemindable)
        {
            throw new InvalidOperationException($"{GetType().Name} registers reminder '{name}' but does not implement IRemindable, so it could never receive it.");
        }

        return Runtime.Reminders.RegisterAsync(GrainId, name, dueTime, period, cancellationToken);
    }

    /// <summary>Removes a durable reminder; a no-op if it does not exist.</summary>
    protected Task UnregisterReminderAsync(string name, CancellationToken cancellationToken = default) =>
        Runtime.Reminders.UnregisterAsync(GrainId, name, cancellationToken);

    /// <summary>Deactivates this grain after the current turn; later calls get a fresh activation.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation();
}
