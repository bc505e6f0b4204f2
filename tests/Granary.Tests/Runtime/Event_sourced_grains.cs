using Granary.Contracts.Grains;
using Granary.EventStore;
using Granary.Runtime;
using Granary.Testing;

namespace Granary.Tests.Runtime;

public sealed class Event_sourced_grains : RuntimeTestBase
{
    protected override SiloOptions Configure(string connectionString, string schema) =>
        Options(connectionString, schema, snapshotEvery: 10);

    [Fact]
    public async Task State_survives_a_full_silo_restart()
    {
        var counter = Silo.Grains.Get<IEventCounterGrain>("restart-1");
        for (var i = 1; i <= 5; i++)
        {
            await counter.IncrementAsync(i);
        }

        await Silo.RestartAsync();

        var view = await Silo.Grains.Get<IEventCounterGrain>("restart-1").GetAsync();
        Assert.Equal((15, 5L), (view.Total, view.Version));
    }

    [Fact]
    public async Task A_conflicting_writer_gets_a_retryable_error_and_the_grain_reloads()
    {
        var counter = Silo.Grains.Get<IEventCounterGrain>("conflict-1");
        await counter.IncrementAsync(1);

        // Another writer (a zombie activation elsewhere, say) appends behind this activation's back.
        await Silo.Silo.EventStore.AppendAsync("eventcounter/conflict-1", ExpectedVersion.Exact(1), [EventData.Create(new Incremented(100))]);

        var conflict = await Assert.ThrowsAsync<GrainConflictException>(() => counter.IncrementAsync(1));
        Assert.IsAssignableFrom<RetryableGrainException>(conflict);
        Assert.IsType<WrongExpectedVersionException>(conflict.InnerException);
        await Eventually.WaitUntilAsync(() => !Silo.Silo.IsActive(conflict.Grain), Deadline, "the conflicting activation to deactivate");

        Assert.Equal(102, await counter.IncrementAsync(1));
        var view = await counter.GetAsync();
        Assert.Equal((102, 3L), (view.Total, view.Version));
    }

    [Fact]
    public async Task Calls_queued_behind_a_conflict_run_on_a_fresh_activation()
    {
        var counter = Silo.Grains.Get<IEventCounterGrain>("conflict-2");
        await counter.IncrementAsync(1);
        await Silo.Silo.EventStore.AppendAsync("eventcounter/conflict-2", ExpectedVersion.Exact(1), [EventData.Create(new Incremented(100))]);

        var calls = Enumerable.Range(0, 5).Select(_ => counter.IncrementAsync(1)).ToArray();
        var outcomes = await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                await call;
                return "ok";
            }
            catch (GrainConflictException)
            {
                return "conflict";
            }
        }));

        Assert.Equal(1, outcomes.Count(o => o == "conflict"));
        Assert.Equal(105, (await counter.GetAsync()).Total);
    }

    [Fact]
    public async Task Activation_starts_from_the_latest_snapshot()
    {
        var counter = Silo.Grains.Get<IEventCounterGrain>("snap-1");
        for (var i = 0; i < 25; i++)
        {
            await counter.IncrementAsync(1);
        }

        var snapshot = await Silo.Silo.EventStore.Snapshots.LoadAsync<CounterState>("eventcounter/snap-1");
        Assert.Equal(20, snapshot!.Version);

        await Silo.Silo.DeactivateAsync(new GrainId("eventcounter", "snap-1"));
        var view = await counter.GetAsync();

        Assert.Equal((25, 25L), (view.Total, view.Version));
        Assert.Equal(5, Probe.FoldedOnActivation["snap-1"]);
    }
}
