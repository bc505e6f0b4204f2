namespace Granary.Tests.Runtime.Cluster.Processes;

public sealed class Calls_reach_every_grain_across_silo_processes : SiloProcessTestBase
{
    [Fact]
    public async Task Every_silo_process_reaches_every_grain_and_each_grain_has_one_activation()
    {
        var keys = Enumerable.Range(0, 60).Select(i => $"reach-{i}").ToList();
        var answers = new Dictionary<string, List<NodeCount>>();
        foreach (var via in Cluster.Nodes)
        {
            foreach (var (key, answer) in await Task.WhenAll(keys.Select(async k => (k, await IncrementAsync(via, k)))))
            {
                answers.TryAdd(key, []);
                answers[key].Add(answer);
            }
        }

        foreach (var key in keys)
        {
            Assert.Equal([1, 2, 3], answers[key].Select(a => a.Total).Order());
            Assert.Single(answers[key].Select(a => a.Silo).Distinct());
            Assert.Equal([1L, 2, 3], await VersionsAsync(key));
        }

        var hosts = answers.Values.Select(a => a[0].Silo).ToHashSet();
        Assert.Equal(Cluster.Nodes.Select(n => n.Endpoint).ToHashSet(), hosts);
    }
}
