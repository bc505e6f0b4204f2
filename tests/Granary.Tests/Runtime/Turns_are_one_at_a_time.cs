using Granary.Testing;

namespace Granary.Tests.Runtime;

public sealed class Turns_are_one_at_a_time : RuntimeTestBase
{
    // A thousand queued event-sourced turns on a busy 2-core machine (other test classes run local control planes beside
    // this one) can take longer than the default 30 s deadline of the last call; the test is about exactness, not speed.
    protected override Granary.Runtime.SiloOptions Configure(string connectionString, string schema) =>
        Options(connectionString, schema, callTimeout: TimeSpan.FromMinutes(3));

    [Fact]
    public async Task A_thousand_concurrent_callers_leave_the_counter_exact()
    {
        var counter = Silo.Grains.Get<ICounterGrain>("exact-1");
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() => counter.IncrementAsync(1))));

        Assert.Equal(1000, await counter.GetAsync());
    }

    [Fact]
    public async Task A_thousand_concurrent_callers_leave_the_event_sourced_counter_exact()
    {
        var counter = Silo.Grains.Get<IEventCounterGrain>("exact-es");
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() => counter.IncrementAsync(1))));

        var view = await counter.GetAsync();
        Assert.Equal((1000, 1000L), (view.Total, view.Version));
    }

    [Fact]
    public async Task Read_only_calls_run_together_and_a_mutating_call_waits_for_them()
    {
        var counter = Silo.Grains.Get<ICounterGrain>("readers-1");
        await counter.IncrementAsync(1);

        var first = counter.ReadSlowlyAsync();
        var second = counter.ReadSlowlyAsync();
        await Probe.ReadersInside.Task.WaitAsync(Deadline);

        var write = counter.IncrementAsync(10);
        Assert.False(write.IsCompleted, "the mutating call must wait while read-only calls run");
        Probe.ReleaseReaders.SetResult();

        var read = await Task.WhenAll(first, second);
        Assert.Equal(new[] { 1, 1 }, read);
        Assert.Equal(11, await write);
    }

    [Fact]
    public async Task A_one_way_call_returns_at_once_and_takes_effect()
    {
        var counter = Silo.Grains.Get<ICounterGrain>("oneway-1");
        await counter.IncrementLaterAsync(4);
        await Eventually.WaitUntilAsync(async () => await counter.GetAsync() == 4, Deadline, "the one-way increment to land");
    }
}
