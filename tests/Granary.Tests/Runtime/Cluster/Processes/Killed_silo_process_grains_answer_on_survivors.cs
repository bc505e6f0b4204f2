using System.Diagnostics;
using Granary.Testing;

namespace Granary.Tests.Runtime.Cluster.Processes;

public sealed class Killed_silo_process_grains_answer_on_survivors : SiloProcessTestBase
{
    [Fact]
    public async Task After_kill_9_under_load_the_dead_silos_grains_answer_on_survivors_with_their_streams_intact()
    {
        var keys = Enumerable.Range(0, 40).Select(i => $"kill-{i}").ToList();
        var victim = Cluster.Nodes[1];
        var survivors = Cluster.Nodes.Where(n => n != victim).ToList();
        var placed = await Task.WhenAll(keys.Select(async k => (Key: k, (await IncrementAsync(survivors[0], k)).Silo)));
        var orphans = placed.Where(p => p.Silo == victim.Endpoint).Select(p => p.Key).ToList();
        Assert.NotEmpty(orphans);

        // Load through the survivors only (a client of the killed silo would just see its connection drop).
        var load = new Load(keys, () => survivors, concurrency: 8);
        load.Start();
        await Eventually.WaitUntilAsync(() => load.Calls >= 200, Deadline, "200 increments under load before the kill");

        var killed = Stopwatch.StartNew();
        victim.Kill();
        Assert.Equal(137, await victim.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var callsAtKill = load.Calls;

        await Eventually.WaitUntilAsync(
            async () => (await Task.WhenAll(orphans.Select(async k => await TryIncrementAsync(survivors[0], k) is { } answer && answer.Silo != victim.Endpoint))).All(ok => ok),
            Deadline,
            "every grain of the killed silo to answer on a survivor");
        var failover = killed.Elapsed;
        await Eventually.WaitUntilAsync(() => load.Calls >= callsAtKill + 200, Deadline, "200 more increments after failover");
        await load.StopAsync();

        Assert.True(failover < Cluster.Lease + TimeSpan.FromSeconds(10), $"failover took {failover.TotalSeconds:0.0}s with a {Cluster.Lease.TotalSeconds}s lease");
        Assert.All(orphans, k => Assert.All(load.Acknowledged[k], a => Assert.True(a.Silo == victim.Endpoint || survivors.Any(s => s.Endpoint == a.Silo))));
        await AssertStreamsIntactAsync(keys, load.Acknowledged, survivors[1]);
        foreach (var key in orphans)
        {
            Assert.NotEqual(victim.Endpoint, (await GetAsync(survivors[1], key)).Silo);
        }
    }

    private static async Task<NodeCount?> TryIncrementAsync(Granary.Testing.Runtime.SiloProcess via, string key)
    {
        try
        {
            return await IncrementAsync(via, key);
        }
        catch (Granary.Testing.Runtime.SiloProcessCallException)
        {
            return null;
        }
    }
}
