using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Testing;

namespace Granary.Tests.Runtime;

public sealed class Grain_lifecycle : RuntimeTestBase
{
    protected override SiloOptions Configure(string connectionString, string schema) =>
        Options(connectionString, schema, idleAge: TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task A_grain_activates_on_first_call_and_idle_deactivates()
    {
        var counter = Silo.Grains.Get<ICounterGrain>("idle-1");
        Assert.False(Silo.Silo.IsActive(new GrainId("counter", "idle-1")));

        Assert.Equal(5, await counter.IncrementAsync(5));
        Assert.True(Silo.Silo.IsActive(new GrainId("counter", "idle-1")));
        Assert.Equal(1, Probe.Activations);

        await Eventually.WaitUntilAsync(() => !Silo.Silo.IsActive(new GrainId("counter", "idle-1")), Deadline, "the idle grain to deactivate");
        Assert.Equal(1, Probe.Deactivations);

        Assert.Equal(0, await counter.GetAsync());
        Assert.Equal(2, Probe.Activations);
    }

    [Fact]
    public async Task An_event_sourced_grain_reactivates_with_its_state_rebuilt_from_events()
    {
        var counter = Silo.Grains.Get<IEventCounterGrain>("idle-es");
        await counter.IncrementAsync(2);
        await counter.IncrementAsync(3);

        await Eventually.WaitUntilAsync(() => !Silo.Silo.IsActive(new GrainId("eventcounter", "idle-es")), Deadline, "the idle grain to deactivate");

        var view = await counter.GetAsync();
        Assert.Equal((5, 2L), (view.Total, view.Version));
        Assert.Equal(2, Probe.FoldedOnActivation["idle-es"]);
    }

    [Fact]
    public async Task A_grain_can_ask_to_be_deactivated()
    {
        var counter = Silo.Grains.Get<ICounterGrain>("leave-1");
        await counter.IncrementAsync(1);
        await counter.DeactivateAsync();

        await Eventually.WaitUntilAsync(() => !Silo.Silo.IsActive(new GrainId("counter", "leave-1")), Deadline, "the grain to deactivate on request");
        Assert.Equal(0, await counter.GetAsync());
    }

    [Fact]
    public async Task A_failed_activation_reaches_the_caller_and_leaves_nothing_behind()
    {
        Probe.FailActivation = true;
        var counter = Silo.Grains.Get<ICounterGrain>("broken-1");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => counter.IncrementAsync(1));
        Assert.Contains("refused by the test", error.Message);
        Assert.False(Silo.Silo.IsActive(new GrainId("counter", "broken-1")));

        Probe.FailActivation = false;
        Assert.Equal(1, await counter.IncrementAsync(1));
    }

    [Fact]
    public async Task An_unregistered_grain_kind_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Silo.Grains.Get<IUnregisteredGrain>("x").NothingAsync());
        Assert.Contains("'unregistered'", error.Message);
        Assert.Contains("Grains.Add", error.Message);
    }

    public interface IUnregisteredGrain : IGrain
    {
        Task NothingAsync();
    }
}
