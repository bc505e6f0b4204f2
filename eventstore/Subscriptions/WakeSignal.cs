namespace Granary.EventStore.Subscriptions;

/// <summary>A latch a waiter sleeps on until someone sets it or a timeout passes; setting it twice wakes once.</summary>
internal sealed class WakeSignal
{
    private TaskCompletionSource _pending = NewSource();

    /// <summary>Wakes the current waiter (or the next one, if none is waiting).</summary>
    public void Set() => Volatile.Read(ref _pending).TrySetResult();

    /// <summary>Waits until set or until <paramref name="timeout"/>; returns true when it was set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = Volatile.Read(ref _pending);
        try
        {
            await pending.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            if (pending.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _pending, NewSource(), pending);
            }
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
