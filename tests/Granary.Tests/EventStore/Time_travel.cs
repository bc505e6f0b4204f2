using Granary.EventStore;

namespace Granary.Tests.EventStore;

public sealed class Time_travel : EventStoreTestBase
{
    [Fact]
    public async Task A_stream_can_be_read_between_two_versions()
    {
        await Store.AppendAsync("tt-1", ExpectedVersion.NoStream, Increments(1, 2, 3, 4, 5, 6));

        var middle = new List<long>();
        await foreach (var recorded in Store.ReadStreamAsync("tt-1", fromVersion: 2, toVersion: 4))
        {
            middle.Add(recorded.StreamVersion);
        }

        Assert.Equal([2L, 3L, 4L], middle);
    }

    [Fact]
    public async Task A_stream_read_as_of_a_time_holds_only_events_stamped_by_then()
    {
        await Store.AppendAsync("tt-2", ExpectedVersion.NoStream, Increments(1, 2));
        var firstBatch = await ReadAsync("tt-2");
        var asOf = firstBatch[^1].Timestamp;
        await Store.AppendAsync("tt-2", ExpectedVersion.Exact(2), Increments(3));

        var all = await ReadAsync("tt-2");
        Assert.True(all[^1].Timestamp > asOf, "timestamps within a stream never go backwards");
        var then = new List<int>();
        await foreach (var recorded in Store.ReadStreamAsOfAsync("tt-2", asOf))
        {
            then.Add(((CounterIncremented)recorded.Data).By);
        }

        Assert.Equal([1, 2], then);

        var before = new List<RecordedEvent>();
        await foreach (var recorded in Store.ReadStreamAsOfAsync("tt-2", asOf.AddTicks(-10)))
        {
            before.Add(recorded);
        }

        Assert.Empty(before);
    }
}
