using Granary.Contracts.Grains;
using Granary.Runtime.Calls;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Reminders;

/// <summary>Polls the reminder table and delivers due ticks to their grains, activating them if needed.</summary>
internal sealed class ReminderService(SiloRuntime runtime, ReminderTable table) : IAsyncDisposable
{
    private static readonly GrainMethod Receive = GrainMethod.Create(typeof(IRemindable).GetMethod(nameof(IRemindable.ReceiveReminderAsync))!);

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(runtime.Options.ReminderPollInterval);
        do
        {
            try
            {
                IReadOnlyList<DueReminder> due;
                do
                {
                    due = await table.ClaimDueAsync(256, stopping);
                    foreach (var reminder in due)
                    {
                        _ = DeliverAsync(reminder);
                    }
                }
                while (due.Count == 256);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                runtime.Logger.LogWarning(exception, "Reminder poll failed; retrying at the next interval");
            }
        }
        while (await WaitAsync(timer, stopping));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task DeliverAsync(DueReminder reminder)
    {
        // A root context without a call chain: the tick must queue for a turn like any other call.
        using (GrainCallContext.Begin($"reminder:{reminder.Grain}/{reminder.Name}", actor: "granary:reminders"))
        {
            try
            {
                await runtime.CallAsync(reminder.Grain, Receive, [reminder.Name, reminder.Tick]);
                runtime.Metrics.ReminderTicked(reminder.Grain.Kind);
            }
            catch (Exception exception)
            {
                runtime.Logger.LogWarning(exception, "Reminder {Reminder} of grain {Grain} failed", reminder.Name, reminder.Grain);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            await _loop;
            return;
        }

        await _stopping.CancelAsync();
        await _loop;
        _stopping.Dispose();
    }
}
