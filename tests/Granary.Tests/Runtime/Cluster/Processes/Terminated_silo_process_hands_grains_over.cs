using Granary.Testing;

namespace Granary.Tests.Runtime.Cluster.Processes;

public sealed class Terminated_silo_process_hands_grains_over : SiloProcessTestBase
{
    [Fact]
    public async Task SIGTERM_leaves_gracefully_and_no_call_fails()
    {
        var keys = Enumerable.Range(0, 40).Select(i => $"leave-{i}").ToList();
        var leaving = Cluster.Nodes[2];
        var caller = Cluster.Nodes[0];
        var placed = await Task.WhenAll(keys.Select(async k => (Key: k, (await IncrementAsync(caller, k)).Silo)));
        var handedOver = placed.Where(p => p.Silo == leaving.Endpoint).Select(p => p.Key).ToList();
        Assert.NotEmpty(handedOver);

        var load = new Load(keys, () => [caller], concurrency: 8);
        load.Start();
        await Eventually.WaitUntilAsync(() => load.Calls >= 200, Deadline, "200 increments under load before SIGTERM");

        leaving.Terminate();
        Assert.Equal(0, await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var callsAtExit = load.Calls;
        await Eventually.WaitUntilAsync(() => load.Calls >= callsAtExit + 200, Deadline, "200 more increments after the silo left");
        await load.StopAsync();

        Assert.True(load.Failures.IsEmpty, $"{load.Failures.Count} calls failed, e.g. {string.Join("; ", load.Failures.Take(3))}\n{leaving.LogTail()}");
        Assert.Contains("left", leaving.LogTail(), StringComparison.Ordinal);
        await AssertStreamsIntactAsync(keys, load.Acknowledged, caller);
        foreach (var key in handedOver)
        {
            Assert.NotEqual(leaving.Endpoint, (await GetAsync(caller, key)).Silo);
        }
    }
}
