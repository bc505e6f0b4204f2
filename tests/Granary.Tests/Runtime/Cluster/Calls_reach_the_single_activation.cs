using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Runtime.Calls;
using Granary.Runtime.Placement;

namespace Granary.Tests.Runtime.Cluster;

using Silo = Granary.Runtime.Silo;

public class Calls_reach_the_single_activation : ClusterTestBase
{
    protected override TimeSpan CallTimeout => TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Calls_from_every_silo_reach_one_activation_per_grain_on_its_owner()
    {
        var keys = Enumerable.Range(0, 30).Select(i => $"spread-{i}").ToList();

        foreach (var silo in Cluster.Live)
        {
            await Task.WhenAll(keys.Select(k => silo.GrainFactory.Get<IEventCounterGrain>(k).IncrementAsync(1)));
        }

        Assert.Equal(keys.Count, Probe.Activations);
        var view = Cluster.Live.First().ClusterView!;
        foreach (var key in keys)
        {
            var host = Assert.Single(Cluster.Live, s => s.IsActive(EventCounter(key)));
            Assert.Equal(RendezvousPlacement.Owner(EventCounter(key), view), host.Address);
            Assert.Equal(3, (await host.GrainFactory.Get<IEventCounterGrain>(key).GetAsync()).Total);
        }

        Assert.All(Cluster.Live, s => Assert.NotEmpty(s.ActiveGrains));
    }

    [Fact]
    public async Task Correlation_causation_and_actor_cross_silos()
    {
        var (caller, key) = RemoteGrain();

        using (GrainCallContext.Begin("webhook-42", actor: "alice"))
        {
            await caller.GrainFactory.Get<IEventCounterGrain>(key).IncrementAsync(5);
            Assert.Equal("webhook-42", (await caller.GrainFactory.Get<IEventCounterGrain>(key).GetAsync()).LastCorrelation);
        }

        var recorded = await caller.EventStore.ReadStreamAsync($"eventcounter/{key}").SingleAsync();
        Assert.Equal(("webhook-42", "alice"), (recorded.CorrelationId, recorded.Actor));
        Assert.NotNull(recorded.CausationId);
    }

    [Fact]
    public async Task A_call_cycle_through_two_silos_reenters_instead_of_deadlocking()
    {
        var silos = Cluster.Live.ToList();
        var view = silos[0].ClusterView!;
        var a = Enumerable.Range(0, 100).Select(i => $"ping-a-{i}").First(k => RendezvousPlacement.Owner(new GrainId("ping", k), view) == silos[0].Address);
        var b = Enumerable.Range(0, 100).Select(i => $"ping-b-{i}").First(k => RendezvousPlacement.Owner(new GrainId("ping", k), view) == silos[1].Address);

        var answer = await silos[2].GrainFactory.Get<IPingGrain>(a).PingAsync(b, 3).WaitAsync(Deadline);

        Assert.Equal($"{b}:2", answer);
    }

    [Fact]
    public async Task A_remote_call_past_its_deadline_times_out_and_the_grain_sees_it_cancelled()
    {
        var (caller, key) = RemoteGrain("counter");
        var counter = caller.GrainFactory.Get<ICounterGrain>(key);

        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => counter.WaitAsync(TimeSpan.FromMinutes(5), CancellationToken.None));

        // The activation is free again: the cancelled turn ended.
        Assert.Equal(0, await counter.GetAsync().WaitAsync(Deadline));
    }

    [Fact]
    public async Task Grain_exceptions_cross_silos_with_their_type_and_message()
    {
        var (caller, key) = RemoteGrain("counter");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => caller.GrainFactory.Get<ICounterGrain>(key).FailAsync("bad input"));

        Assert.Equal("bad input", error.Message);
    }

    /// <summary>A silo and a grain key another silo owns.</summary>
    private (Silo Caller, string Key) RemoteGrain(string kind = "eventcounter")
    {
        var caller = Cluster.Live.First();
        var key = Enumerable.Range(0, 100).Select(i => $"remote-{i}").First(k => RendezvousPlacement.Owner(new GrainId(kind, k), caller.ClusterView!) != caller.Address);
        return (caller, key);
    }
}

/// <summary>The same behaviour with silos calling each other over HTTP/2 on 127.0.0.1 (Kestrel and a pooled HttpClient).</summary>
public sealed class Calls_reach_the_single_activation_over_http2 : Calls_reach_the_single_activation
{
    protected override bool OverHttp => true;
}
