using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Runtime.Calls;
using Granary.Testing;

namespace Granary.Tests.Runtime;

public sealed class Calls_fail_clearly : RuntimeTestBase
{
    protected override SiloOptions Configure(string connectionString, string schema) =>
        Options(connectionString, schema, callTimeout: TimeSpan.FromMilliseconds(300));

    [Fact]
    public async Task A_grain_exception_reaches_the_caller_with_its_type_and_message()
    {
        var counter = Silo.Grains.Get<ICounterGrain>("fail-1");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => counter.FailAsync("spec.interval '5x' is not a duration"));
        Assert.Equal("spec.interval '5x' is not a duration", error.Message);

        Assert.Equal(1, await counter.IncrementAsync(1));
    }

    [Fact]
    public async Task A_call_past_its_deadline_fails_with_a_typed_timeout_and_the_grain_sees_cancellation()
    {
        var counter = Silo.Grains.Get<ICounterGrain>("slow-1");
        var error = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => counter.WaitAsync(TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.Equal(new GrainId("counter", "slow-1"), error.Target);
        Assert.Contains("ICounterGrain.WaitAsync", error.Message);

        // The grain's token fired at the deadline, so the mailbox is free again.
        Assert.Equal(1, await counter.IncrementAsync(1));
    }

    [Fact]
    public async Task Caller_cancellation_flows_into_the_grain()
    {
        var counter = Silo.Grains.Get<ICounterGrain>("cancel-1");
        using var cancel = new CancellationTokenSource();
        var waiting = counter.WaitAsync(TimeSpan.FromMinutes(5), cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal("finished", await counter.WaitAsync(TimeSpan.FromMilliseconds(1), CancellationToken.None));
    }

    [Fact]
    public async Task A_call_cycle_re_enters_instead_of_deadlocking()
    {
        var alpha = Silo.Grains.Get<IPingGrain>("alpha");

        // alpha → beta → alpha → beta → alpha: each grain is awaiting the other when called back.
        Assert.Equal("alpha:3", await alpha.PingAsync("beta", 4));
        Assert.Equal("self:3", await Silo.Grains.Get<IPingGrain>("self").PingAsync("self", 2));
    }

    [Fact]
    public async Task A_one_way_call_back_into_a_waiting_grain_takes_its_own_turn_instead_of_re_entering()
    {
        var first = Silo.Grains.Get<IEchoGrain>("echo-a");

        // echo-a → echo-b → (one-way) echo-a: the mark must wait until echo-a's turn has ended.
        Assert.False(await first.RoundTripAsync("echo-b"));
        await Eventually.WaitUntilAsync(() => first.MarkedAsync(), TimeSpan.FromSeconds(10), "the one-way mark to land after the turn");
    }
}
