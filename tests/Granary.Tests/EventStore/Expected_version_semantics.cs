using Granary.EventStore;

namespace Granary.Tests.EventStore;

public sealed class Expected_version_semantics : EventStoreTestBase
{
    [Fact]
    public async Task NoStream_appends_to_an_empty_stream_and_rejects_an_existing_one()
    {
        var first = await Store.AppendAsync("s-nostream", ExpectedVersion.NoStream, Increments(1));
        Assert.Equal(1, first.NextExpectedVersion);

        var conflict = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("s-nostream", ExpectedVersion.NoStream, Increments(2)));
        Assert.Equal(1, conflict.ActualVersion);
        Assert.Equal("s-nostream", conflict.StreamId);
        Assert.Single(await ReadAsync("s-nostream"));
    }

    [Fact]
    public async Task StreamExists_rejects_an_empty_stream_and_appends_to_an_existing_one()
    {
        var conflict = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("s-exists", ExpectedVersion.StreamExists, Increments(1)));
        Assert.Equal(0, conflict.ActualVersion);
        Assert.Empty(await ReadAsync("s-exists"));

        await Store.AppendAsync("s-exists", ExpectedVersion.NoStream, Increments(1));
        var second = await Store.AppendAsync("s-exists", ExpectedVersion.StreamExists, Increments(2, 3));
        Assert.Equal(3, second.NextExpectedVersion);
    }

    [Fact]
    public async Task Exact_version_must_match_and_the_error_carries_the_actual_version()
    {
        await Store.AppendAsync("s-exact", ExpectedVersion.Exact(0), Increments(1, 2));
        await Store.AppendAsync("s-exact", ExpectedVersion.Exact(2), Increments(3));

        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("s-exact", ExpectedVersion.Exact(2), Increments(4)));
        Assert.Equal(3, stale.ActualVersion);
        Assert.Equal(ExpectedVersion.Exact(2), stale.Expected);
        Assert.Contains("version 3", stale.Message);

        var ahead = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("s-exact", ExpectedVersion.Exact(7), Increments(4)));
        Assert.Equal(3, ahead.ActualVersion);
        Assert.Equal(3, await Store.GetStreamVersionAsync("s-exact"));
    }

    [Fact]
    public async Task Any_appends_whatever_the_version()
    {
        await Store.AppendAsync("s-any", ExpectedVersion.Any, Increments(1));
        await Store.AppendAsync("s-any", ExpectedVersion.Any, Increments(2));
        var events = await ReadAsync("s-any");
        Assert.Equal([1L, 2L], events.Select(e => e.StreamVersion));
        Assert.Equal([1, 2], events.Select(e => ((CounterIncremented)e.Data).By));
    }

    [Fact]
    public async Task Concurrent_writers_with_the_same_expected_version_let_exactly_one_win()
    {
        await Store.AppendAsync("s-race", ExpectedVersion.NoStream, Increments(0));
        var attempts = Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await Store.AppendAsync("s-race", ExpectedVersion.Exact(1), Increments(i));
                return true;
            }
            catch (WrongExpectedVersionException)
            {
                return false;
            }
        });

        var outcomes = await Task.WhenAll(attempts);
        Assert.Single(outcomes, won => won);
        Assert.Equal(2, await Store.GetStreamVersionAsync("s-race"));
    }
}
