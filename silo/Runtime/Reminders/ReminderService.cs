using System.Collections.Concurrent;
using Granary.Contracts.Grains;
using Granary.Runtime.Calls;
using Granary.Runtime.Clustering;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Reminders;

/// <summary>
/// Delivers the due ticks of the reminders whose grains this silo owns, activating the grains if needed. A single
/// silo owns every grain; a clustered one owns the grains placement gives it in its current membership view.
/// </summary>
/// <remarks>
/// <para><b>Claiming.</b> Every <see cref="SiloOptions.ReminderPollInterval"/> (and right after each new membership
/// view) the service reads the due rows, keeps those whose grains this silo owns, and claims them by compare-and-swap
/// on their due time (<see cref="ReminderTable.ClaimAsync"/>). Rendezvous ownership is no contiguous hash range, so
/// the filter runs here rather than in SQL. Two silos whose views momentarily disagree may both think they own a
/// grain; only one claim of a given due time succeeds, so a tick is delivered at most once.</para>
/// <para><b>What happens to reminders during a membership change.</b> Reminders follow placement: nothing is
/// handed over, because the rows stay in the table and ownership is recomputed from each view. When a silo joins,
/// the silos that read the view with it stop claiming the reminders it now owns, and it claims them at its next
/// poll. When a silo leaves gracefully, it stops claiming as soon as it is ShuttingDown, and the others claim its
/// grains' reminders once they read that view. When a silo dies, its grains' rows stay due (nobody else owns them
/// yet) until it is declared dead; the new owners then claim the tick that fell due meanwhile (missed periods are
/// coalesced into that one tick) and the grain reactivates there, so no period is lost beyond failure detection.</para>
/// <para><b>Failed deliveries.</b> A tick whose delivery certainly did not run — the owner moved or is unavailable
/// (<see cref="RetryableGrainException"/>), or this silo stopped serving — is put back (its row returns to the
/// claimed due time if nobody changed it), so whichever silo owns the grain delivers it at its next poll. A tick
/// whose grain failed or timed out is not retried: it may have run, and reminders are delivered at most once per
/// due time.</para>
/// </remarks>
internal sealed class ReminderService : IAsyncDisposable
{
    private const int PageSize = 256;
    private static readonly GrainMethod Receive = GrainMethod.Create(typeof(IRemindable).GetMethod(nameof(IRemindable.ReceiveReminderAsync))!);

    private readonly SiloRuntime _runtime;
    private readonly ReminderTable _table;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentDictionary<Task, bool> _deliveries = new();
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    public ReminderService(SiloRuntime runtime, ReminderTable table)
    {
        _runtime = runtime;
        _table = table;
        if (runtime.Cluster is { } cluster)
        {
            cluster.Membership.ViewChanged += OnViewChanged;
        }
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken stopping)
    {
        do
        {
            try
            {
                await PollAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                _runtime.Logger.LogWarning(exception, "Reminder poll failed; retrying at the next interval");
            }
        }
        while (await WaitAsync(stopping));
    }

    /// <summary>Reads every due row, page by page, and claims and delivers the ones this silo owns.</summary>
    private async Task PollAsync(CancellationToken stopping)
    {
        DueReminder? after = null;
        while (true)
        {
            var due = await _table.ReadDueAsync(PageSize, after, stopping);
            var owned = Owner() is { } owns ? due.Where(r => owns(r.Grain)).ToList() : [];
            foreach (var claimed in await _table.ClaimAsync(owned, stopping))
            {
                Track(DeliverAsync(claimed));
            }

            if (due.Count < PageSize)
            {
                return;
            }

            after = due[^1];
        }
    }

    /// <summary>Which grains this silo owns now, or null when it owns none (joining, leaving, or stopped serving).</summary>
    private Func<GrainId, bool>? Owner()
    {
        if (_runtime.Cluster is not { } cluster)
        {
            return static _ => true;
        }

        var view = cluster.Membership.View;
        var self = cluster.Self;
        return cluster.Membership.IsTerminated || view.StatusOf(self) != SiloStatus.Active
            ? null
            : grain => RendezvousPlacement.Owner(grain, view) == self;
    }

    private async Task<bool> WaitAsync(CancellationToken stopping)
    {
        try
        {
            // Woken early by a new membership view: reminders that moved here are claimed without waiting a period.
            await _wake.WaitAsync(_runtime.Options.ReminderPollInterval, stopping);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void OnViewChanged(MembershipView view)
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken.
            }
        }
    }

    private void Track(Task delivery)
    {
        _deliveries.TryAdd(delivery, true);
        _ = delivery.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, bool>)state!).TryRemove(done, out _), _deliveries, TaskScheduler.Default);
    }

    private async Task DeliverAsync(ClaimedReminder claimed)
    {
        var reminder = claimed.Reminder;

        // A root context without a call chain: the tick must queue for a turn like any other call.
        using (GrainCallContext.Begin($"reminder:{reminder.Grain}/{reminder.Name}", actor: "granary:reminders"))
        {
            try
            {
                await _runtime.CallAsync(reminder.Grain, Receive, [reminder.Name, reminder.Tick]);
                _runtime.Metrics.ReminderTicked(reminder.Grain.Kind);
            }
            catch (Exception exception) when (exception is RetryableGrainException or GrainHeldElsewhereException)
            {
                // The tick did not run (or its writes were refused): its grain's owner delivers it at its next poll.
                _runtime.Logger.LogInformation("Reminder {Reminder} of grain {Grain} due {Due:O} was not delivered ({Reason}); putting it back for the grain's owner", reminder.Name, reminder.Grain, reminder.Tick.DueAt, exception.Message);
                await PutBackAsync(claimed);
            }
            catch (Exception exception)
            {
                _runtime.Logger.LogWarning(exception, "Reminder {Reminder} of grain {Grain} failed", reminder.Name, reminder.Grain);
            }
        }
    }

    private async Task PutBackAsync(ClaimedReminder claimed)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_runtime.Options.CallTimeout);
            await _table.ReleaseAsync(claimed, timeout.Token);
        }
        catch (Exception exception)
        {
            _runtime.Logger.LogWarning(exception, "Reminder {Reminder} of grain {Grain} due {Due:O} could not be put back; it ticks again at its next period", claimed.Reminder.Name, claimed.Reminder.Grain, claimed.Reminder.Tick.DueAt);
        }
    }

    /// <summary>Stops polling and waits for the deliveries already claimed (a failed one is put back for the next owner).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            await _loop;
            return;
        }

        if (_runtime.Cluster is { } cluster)
        {
            cluster.Membership.ViewChanged -= OnViewChanged;
        }

        await _stopping.CancelAsync();
        await _loop;
        await Task.WhenAll(_deliveries.Keys);
        _stopping.Dispose();
    }
}
