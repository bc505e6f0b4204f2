using Npgsql;

namespace Granary.EventStore.Subscriptions;

/// <summary>
/// Holds one connection that LISTENs for the store's append notifications and wakes every subscription.
/// Notifications only speed delivery up: subscriptions poll as well, so a lost connection loses nothing.
/// </summary>
internal sealed class AppendNotificationListener(NpgsqlDataSource dataSource, EventStoreOptions options) : IAsyncDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly List<WakeSignal> _signals = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public void Add(WakeSignal signal)
    {
        lock (_gate)
        {
            _signals.Add(signal);
            _loop ??= Task.Run(() => ListenAsync(_stopping.Token));
        }
    }

    public void Remove(WakeSignal signal)
    {
        lock (_gate)
        {
            _signals.Remove(signal);
        }
    }

    private void WakeAll()
    {
        lock (_gate)
        {
            foreach (var signal in _signals)
            {
                signal.Set();
            }
        }
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, _) => WakeAll();
                await using (var listen = new NpgsqlCommand($"LISTEN {options.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                // Anything appended while we were not listening is picked up by this wake-up.
                WakeAll();
                while (!stopping.IsCancellationRequested)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException)
            {
                // The connection dropped: subscriptions keep polling meanwhile; try again shortly.
                try
                {
                    await Task.Delay(ReconnectDelay, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stopping.Dispose();
    }
}
