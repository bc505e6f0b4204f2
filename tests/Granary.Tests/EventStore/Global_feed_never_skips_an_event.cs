using System.Collections.Concurrent;
using System.Diagnostics;
using Granary.EventStore;

namespace Granary.Tests.EventStore;

public sealed class Global_feed_never_skips_an_event : EventStoreTestBase
{
    private const int Appenders = 16;
    private const int AppendsEach = 30;

    [Fact]
    public async Task Readers_see_every_committed_event_once_in_order_despite_slow_and_rolled_back_transactions()
    {
        var committed = new ConcurrentBag<Guid>();
        var rolledBack = new ConcurrentBag<Guid>();
        var writing = Task.WhenAll(Enumerable.Range(0, Appenders).Select(i => Task.Run(() => AppendManyAsync(i, committed, rolledBack))));

        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() => FollowFeedAsync(writing, () => committed.Count))).ToArray();
        await writing;
        var seenByReaders = await Task.WhenAll(readers);

        var final = new List<RecordedEvent>();
        await foreach (var recorded in Store.ReadAllToEndAsync(GlobalPosition.Start))
        {
            final.Add(recorded);
        }

        Assert.Equal(committed.Count, final.Count);
        Assert.Equal(committed.OrderBy(id => id), final.Select(e => e.EventId).OrderBy(id => id));
        Assert.Empty(final.Select(e => e.EventId).Intersect(rolledBack));
        foreach (var seen in seenByReaders)
        {
            Assert.Equal(final.Select(e => e.EventId), seen);
        }
    }

    private async Task AppendManyAsync(int appender, ConcurrentBag<Guid> committed, ConcurrentBag<Guid> rolledBack)
    {
        var random = new Random(appender);
        for (var n = 0; n < AppendsEach; n++)
        {
            var stream = $"feed-{appender}-{n % 3}";
            var events = Increments(Enumerable.Range(0, random.Next(1, 4)).ToArray());
            if (n % 4 != 1)
            {
                await Store.AppendAsync(stream, ExpectedVersion.Any, events);
                events.ToList().ForEach(e => committed.Add(e.EventId));
                continue;
            }

            // A deliberately slow transaction: it takes its transaction id now and commits (or rolls back)
            // only after other appenders have committed later ids.
            await using var connection = await Store.DataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await Store.AppendAsync(transaction, stream, ExpectedVersion.Any, events);
            await Task.Delay(random.Next(5, 60));
            if (n % 8 == 5)
            {
                await transaction.RollbackAsync();
                events.ToList().ForEach(e => rolledBack.Add(e.EventId));
            }
            else
            {
                await transaction.CommitAsync();
                events.ToList().ForEach(e => committed.Add(e.EventId));
            }
        }
    }

    private async Task<List<Guid>> FollowFeedAsync(Task writing, Func<int> committedCount)
    {
        var seen = new List<Guid>();
        var position = GlobalPosition.Start;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            var finished = writing.IsCompleted;
            var page = await Store.ReadAllAsync(position, maxCount: 25);
            foreach (var recorded in page)
            {
                Assert.True(recorded.Position > position, $"feed went backwards: {recorded.Position} after {position}");
                position = recorded.Position;
                seen.Add(recorded.EventId);
            }

            // Once the writers are done, the reader follows until it has seen every committed event. It may
            // need a few more reads: other tests' open transactions can hold the feed's horizon back a while.
            if (finished && seen.Count >= committedCount())
            {
                return seen;
            }
        }

        throw new TimeoutException("The reader did not catch up with the writers within 2 minutes.");
    }
}
