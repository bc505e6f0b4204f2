namespace Granary.Tests.EventStore;

public sealed class Snapshots_keep_the_latest_state : EventStoreTestBase
{
    private sealed record CounterState(int Total, List<string> Notes);

    [Fact]
    public async Task A_saved_snapshot_loads_back_with_its_version()
    {
        Assert.Null(await Store.Snapshots.LoadAsync<CounterState>("snap-1"));

        await Store.Snapshots.SaveAsync("snap-1", 10, new CounterState(42, ["a", "b"]));
        var loaded = await Store.Snapshots.LoadAsync<CounterState>("snap-1");

        Assert.NotNull(loaded);
        Assert.Equal(10, loaded.Version);
        Assert.Equal(42, loaded.State.Total);
        Assert.Equal(["a", "b"], loaded.State.Notes);
    }

    [Fact]
    public async Task An_older_snapshot_never_replaces_a_newer_one()
    {
        await Store.Snapshots.SaveAsync("snap-2", 20, new CounterState(20, []));
        await Store.Snapshots.SaveAsync("snap-2", 15, new CounterState(15, []));
        await Store.Snapshots.SaveAsync("snap-2", 25, new CounterState(25, []));
        await Store.Snapshots.SaveAsync("snap-2", 22, new CounterState(22, []));

        var loaded = await Store.Snapshots.LoadAsync<CounterState>("snap-2");
        Assert.Equal((25L, 25), (loaded!.Version, loaded.State.Total));

        await Store.Snapshots.DeleteAsync("snap-2");
        Assert.Null(await Store.Snapshots.LoadAsync<CounterState>("snap-2"));
    }
}
