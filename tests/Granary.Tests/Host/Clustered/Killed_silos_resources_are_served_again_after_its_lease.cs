using System.Diagnostics;
using Granary.Tests.Kubernetes.Infrastructure;
using Xunit.Abstractions;

namespace Granary.Tests.Host.Clustered;

/// <summary>
/// Three <c>granary run</c> silos as in the StatefulSet: when the silo hosting the resources is killed (-9: a node lost,
/// an OOM kill), the others declare it dead once its lease expires and serve its resources again, their history whole.
/// </summary>
public sealed class Killed_silos_resources_are_served_again_after_its_lease(LocalKubernetes kubernetes, ITestOutputHelper output) : ClusteredHostTestBase(kubernetes, output), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task After_kill_9_of_the_hosting_silo_the_others_apply_the_next_commit_once_its_lease_expired()
    {
        var first = CommitConfigMaps("v1");
        await Cluster.Silos[2].ApplyAsync(FleetYaml());
        await WaitAppliedAsync(Cluster.Silos[0], first, "v1");
        var victim = await HostOfAsync(Cluster.Silos, "kustomization");
        var before = await HistoryAsync(Cluster.Silos.First(s => s != victim), "Kustomization", "apps");

        var clock = Stopwatch.StartNew();
        victim.Kill();
        Assert.Equal(137, await victim.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var survivors = Cluster.Live.ToList();
        var second = CommitConfigMaps("v2");
        await WaitForMembersAsync(survivors, survivors, $"the survivors to declare {victim.Name} dead");
        var declaredDead = clock.Elapsed;

        // Nobody asks: the GitRepository (3s interval) finds the commit and tells the Kustomization (10m interval). A
        // notification that reached for the dead silo before it was declared dead is told again until it lands, so
        // the Kustomization activates on a survivor and applies the commit long before its own interval.
        await WaitAppliedAsync(survivors[0], second, "v2");
        var recovered = clock.Elapsed;

        Assert.True(declaredDead >= Clocks.LeaseTimeout - TimeSpan.FromSeconds(2), $"{victim.Name} was declared dead after {declaredDead.TotalSeconds:0.0} s, before its {Clocks.LeaseTimeout.TotalSeconds} s lease could expire");
        Report($"{victim.Name} (hosting the Kustomization) killed: declared dead after {declaredDead.TotalSeconds:0.0} s, the next commit applied after {recovered.TotalSeconds:0.0} s, the Kustomization now on {(await HostOfAsync(survivors, "kustomization")).Name}");
        foreach (var survivor in survivors)
        {
            await WaitListedAsync(survivor, second);
            var history = await HistoryAsync(survivor, "Kustomization", "apps");
            AssertComplete(history, before, $"Kustomization history read through {survivor.Name} ({recovered.TotalSeconds:0.0} s after the kill)");
            Assert.Equal(before.Count(e => e.Type == "kustomization.applied") + 1, history.Count(e => e.Type == "kustomization.applied"));
        }
    }
}
