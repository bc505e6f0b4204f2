using Granary.EventStore.Feed;

namespace Granary.EventStore.Subscriptions;

/// <summary>
/// Delivers the global feed to a handler at least once, in feed order, from a checkpoint kept under the
/// subscription's name, so a restarted process resumes where the last one stopped.
/// </summary>
public sealed class EventSubscription : IAsyncDisposable
{
    private static readonly TimeSpan MinHorizonWait = TimeSpan.FromMilliseconds(5);

    private readonly CheckpointStore _checkpoints;
    private readonly GlobalFeed _feed;
    private readonly AppendNotificationListener _listener;
    private readonly Func<RecordedEvent, CancellationToken, Task> _handler;
    private readonly SubscriptionOptions _options;
    private readonly WakeSignal _signal = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Action<string> _onStopped;
    private Task _loop = Task.CompletedTask;
    private long _handled;

    internal EventSubscription(string name, CheckpointStore checkpoints, GlobalFeed feed, AppendNotificationListener listener,
        Func<RecordedEvent, CancellationToken, Task> handler, SubscriptionOptions options, Action<string> onStopped)
    {
        Name = name;
        _checkpoints = checkpoints;
        _feed = feed;
        _listener = listener;
        _handler = handler;
        _options = options;
        _onStopped = onStopped;
    }

    /// <summary>The subscriber's name, the key of its checkpoint.</summary>
    public string Name { get; }

    /// <summary>The position of the last event whose page was handled and checkpointed.</summary>
    public GlobalPosition Checkpoint { get; private set; }

    /// <summary>How many events the handler has completed (re-deliveries included).</summary>
    public long HandledCount => Interlocked.Read(ref _handled);

    /// <summary>The handler's most recent failure, if any.</summary>
    public Exception? LastError { get; private set; }

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        Checkpoint = await _checkpoints.LoadAsync(Name, cancellationToken) ?? GlobalPosition.Start;
        _listener.Add(_signal);
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        TimeSpan? horizonWait = null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var page = await _feed.ReadAsync(Checkpoint, _options.BatchSize, stopping);
                if (page.Count == 0)
                {
                    // After a notification an empty read means an older transaction still holds the feed's
                    // horizon back (Feed/GlobalFeed.cs): the event is committed but not yet safe to read, so
                    // look again soon, backing off, instead of sleeping a whole poll interval.
                    var wait = horizonWait ?? _options.PollInterval;
                    var woken = await _signal.WaitAsync(wait, stopping);
                    horizonWait = woken ? MinHorizonWait
                        : horizonWait is { } current && current < _options.PollInterval ? current * 2
                        : null;
                    continue;
                }

                horizonWait = null;

                if (!await DeliverAsync(page, stopping))
                {
                    await Task.Delay(_options.RetryDelay, stopping);
                    continue;
                }

                await _checkpoints.SaveAsync(Name, page[^1].Position, stopping);
                Checkpoint = page[^1].Position;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database is unreachable or a stored event cannot be read: keep the checkpoint, report, retry.
                LastError = exception;
                await DelayQuietlyAsync(_options.RetryDelay, stopping);
            }
        }
    }

    private async Task<bool> DeliverAsync(IReadOnlyList<RecordedEvent> page, CancellationToken stopping)
    {
        foreach (var recorded in page)
        {
            try
            {
                await _handler(recorded, stopping);
                Interlocked.Increment(ref _handled);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                LastError = exception;
                _options.OnHandlerError?.Invoke(recorded, exception);
                return false;
            }
        }

        return true;
    }

    private static async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops delivery; the checkpoint stays where the last handled page left it.</summary>
    public async ValueTask DisposeAsync()
    {
        _listener.Remove(_signal);
        await _stopping.CancelAsync();
        await _loop;
        _stopping.Dispose();
        _onStopped(Name);
    }
}
