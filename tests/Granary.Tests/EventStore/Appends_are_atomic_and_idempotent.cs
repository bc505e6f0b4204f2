using Granary.EventStore;
using Granary.EventStore.Appending;

namespace Granary.Tests.EventStore;

public sealed class Appends_are_atomic_and_idempotent : EventStoreTestBase
{
    private sealed record NotRegistered(int X);

    [Fact]
    public async Task A_multi_event_append_gets_consecutive_versions_metadata_and_one_timestamp()
    {
        var result = await Store.AppendAsync("atomic-1", ExpectedVersion.NoStream, Increments(1, 2, 3, 4, 5),
            new EventMetadata("corr-1", "cause-1", "alice"));

        Assert.Equal(5, result.NextExpectedVersion);
        var events = await ReadAsync("atomic-1");
        Assert.Equal([1L, 2L, 3L, 4L, 5L], events.Select(e => e.StreamVersion));
        Assert.All(events, e => Assert.Equal(("corr-1", "cause-1", "alice"), (e.CorrelationId, e.CausationId, e.Actor)));
        Assert.All(events, e => Assert.Equal("test.counter-incremented", e.EventType));
        Assert.Single(events.Select(e => e.Timestamp).Distinct());
        Assert.Equal(result.LastPosition, events[^1].Position);
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Position < pair.Second.Position));
    }

    [Fact]
    public async Task An_append_with_an_unserializable_event_writes_nothing()
    {
        await Store.AppendAsync("atomic-2", ExpectedVersion.NoStream, Increments(1));
        EventData[] mixed = [EventData.Create(new CounterIncremented(2)), EventData.Create(new NotRegistered(3))];

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AppendAsync("atomic-2", ExpectedVersion.Exact(1), mixed));
        Assert.Contains("not registered", error.Message);
        Assert.Single(await ReadAsync("atomic-2"));
        Assert.Equal(1, await Store.GetStreamVersionAsync("atomic-2"));
    }

    [Fact]
    public async Task Retrying_the_same_append_returns_the_original_result_and_writes_nothing()
    {
        var batch = Increments(1, 2, 3);
        var original = await Store.AppendAsync("retry-1", ExpectedVersion.NoStream, batch);
        var retried = await Store.AppendAsync("retry-1", ExpectedVersion.NoStream, batch);

        Assert.True(retried.WasDuplicate);
        Assert.Equal(original.NextExpectedVersion, retried.NextExpectedVersion);
        Assert.Equal(original.LastPosition, retried.LastPosition);
        Assert.Equal(3, (await ReadAsync("retry-1")).Count);
    }

    [Fact]
    public async Task Retrying_with_expected_version_any_is_idempotent_too()
    {
        var batch = Increments(7, 8);
        await Store.AppendAsync("retry-2", ExpectedVersion.Any, batch);
        await Store.AppendAsync("retry-2", ExpectedVersion.Any, Increments(9));
        var retried = await Store.AppendAsync("retry-2", ExpectedVersion.Any, batch);

        Assert.True(retried.WasDuplicate);
        Assert.Equal(2, retried.NextExpectedVersion);
        Assert.Equal([7, 8, 9], (await ReadAsync("retry-2")).Select(e => ((CounterIncremented)e.Data).By));
    }

    [Fact]
    public async Task Reusing_an_event_id_in_a_different_batch_is_refused()
    {
        var first = Increments(1);
        await Store.AppendAsync("retry-3", ExpectedVersion.NoStream, first);
        EventData[] overlapping = [first[0], EventData.Create(new CounterIncremented(2))];

        var error = await Assert.ThrowsAsync<DuplicateEventIdException>(() => Store.AppendAsync("retry-3", ExpectedVersion.Any, overlapping));
        Assert.Equal(first[0].EventId, error.EventId);
        Assert.Single(await ReadAsync("retry-3"));
    }
}
