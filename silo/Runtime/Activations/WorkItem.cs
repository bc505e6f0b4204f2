namespace Granary.Runtime.Activations;

/// <summary>Something an activation runs as a turn: a grain call, a timer tick, a deactivation.</summary>
internal abstract class WorkItem
{
    /// <summary>Read-only items may run alongside each other instead of taking a turn of their own.</summary>
    public virtual bool IsReadOnly => false;

    /// <summary>Runs the item on the activation. Never throws: failures go to whoever waits for the item.</summary>
    public abstract Task RunAsync(Activation activation);

    /// <summary>The item will never run (the activation failed or is gone).</summary>
    public abstract void Abandon(Activation activation, Exception? reason);
}
