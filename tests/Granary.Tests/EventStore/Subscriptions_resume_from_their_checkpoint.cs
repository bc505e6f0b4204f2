using System.Collections.Concurrent;
using Granary.EventStore;
using Granary.EventStore.Subscriptions;
using Granary.Testing;

namespace Granary.Tests.EventStore;

public sealed class Subscriptions_resume_from_their_checkpoint : EventStoreTestBase
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_restarted_subscriber_gets_only_what_it_had_not_handled()
    {
        var firstRun = new ConcurrentQueue<int>();
        var subscription = await Store.SubscribeAsync("projector", (e, _) => Record(firstRun, e));
        await Store.AppendAsync("sub-1", ExpectedVersion.NoStream, Increments(Enumerable.Range(1, 10).ToArray()));
        await Eventually.WaitUntilAsync(() => firstRun.Count == 10, Deadline, "the first run to handle 10 events");
        var lastHandled = (await ReadAsync("sub-1"))[^1].Position;
        await Eventually.WaitUntilAsync(async () => await Store.GetCheckpointAsync("projector") == lastHandled, Deadline, "the checkpoint to be saved");
        await subscription.DisposeAsync();

        await Store.AppendAsync("sub-1", ExpectedVersion.Exact(10), Increments(11, 12, 13, 14, 15));

        // A new store instance stands for a restarted process.
        await using var restarted = await OpenStoreAsync();
        var secondRun = new ConcurrentQueue<int>();
        await using var resumed = await restarted.SubscribeAsync("projector", (e, _) => Record(secondRun, e));
        await Eventually.WaitUntilAsync(() => secondRun.Count >= 5, Deadline, "the restarted subscriber to handle the 5 new events");

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], firstRun);
        Assert.Equal([11, 12, 13, 14, 15], secondRun);
    }

    [Fact]
    public async Task A_notification_wakes_the_subscriber_long_before_its_poll_interval()
    {
        var handled = new ConcurrentQueue<int>();
        var slowPolling = new SubscriptionOptions { PollInterval = TimeSpan.FromMinutes(10) };
        await using var subscription = await Store.SubscribeAsync("notified", (e, _) => Record(handled, e), slowPolling);
        await Eventually.WaitUntilAsync(() => subscription.Checkpoint == GlobalPosition.Start, Deadline, "the subscription to start");

        // Let the first empty read happen so the subscriber is asleep on its signal.
        await Task.Yield();
        await Store.AppendAsync("sub-2", ExpectedVersion.NoStream, Increments(1));
        await Eventually.WaitUntilAsync(() => handled.Count == 1, Deadline, "the notified subscriber to handle the event");
    }

    [Fact]
    public async Task A_failing_handler_gets_the_event_again()
    {
        var attempts = 0;
        var errors = new ConcurrentQueue<Exception>();
        var options = new SubscriptionOptions { RetryDelay = TimeSpan.FromMilliseconds(20), OnHandlerError = (_, e) => errors.Enqueue(e) };
        var delivered = new ConcurrentQueue<int>();
        await using var subscription = await Store.SubscribeAsync("flaky", (e, _) =>
        {
            if (Interlocked.Increment(ref attempts) <= 2)
            {
                throw new InvalidOperationException("projection database is down");
            }

            return Record(delivered, e);
        }, options);

        await Store.AppendAsync("sub-3", ExpectedVersion.NoStream, Increments(5));
        await Eventually.WaitUntilAsync(() => delivered.Count == 1, Deadline, "the event to be delivered after two failures");
        Assert.Equal(2, errors.Count);
        Assert.Equal([5], delivered);
    }

    [Fact]
    public async Task The_same_name_cannot_run_twice_in_one_process()
    {
        await using var first = await Store.SubscribeAsync("single", (_, _) => Task.CompletedTask);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.SubscribeAsync("single", (_, _) => Task.CompletedTask));
        Assert.Contains("'single'", error.Message);
    }

    private static Task Record(ConcurrentQueue<int> into, RecordedEvent recorded)
    {
        into.Enqueue(((CounterIncremented)recorded.Data).By);
        return Task.CompletedTask;
    }
}
