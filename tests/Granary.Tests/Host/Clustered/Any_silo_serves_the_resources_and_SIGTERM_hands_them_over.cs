using System.Diagnostics;
using Granary.Tests.Kubernetes.Infrastructure;
using Xunit.Abstractions;

namespace Granary.Tests.Host.Clustered;

/// <summary>
/// Three <c>granary run</c> silos as in the StatefulSet: resources applied through one silo are read through another,
/// and when the silo hosting them gets SIGTERM (a Pod deleted or rolled) it exits 0 within its grace, the survivors
/// keep the whole history, and they reconcile the next commit.
/// </summary>
public sealed class Any_silo_serves_the_resources_and_SIGTERM_hands_them_over(LocalKubernetes kubernetes, ITestOutputHelper output) : ClusteredHostTestBase(kubernetes, output), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task The_silo_hosting_the_resources_leaves_on_SIGTERM_and_the_survivors_apply_the_next_commit()
    {
        var members = (await ClusterStateAsync(Cluster.Silos[0]))["members"]!.AsArray().Select(m => m!["endpoint"]!.GetValue<string>()).Order(StringComparer.Ordinal);
        Assert.Equal(Cluster.Silos.Select(s => s.Endpoint).Order(StringComparer.Ordinal), members);

        var first = CommitConfigMaps("v1");
        await Cluster.Silos[0].ApplyAsync(FleetYaml());
        await WaitAppliedAsync(Cluster.Silos[1], first, "v1");
        var leaving = await HostOfAsync(Cluster.Silos, "kustomization");
        var others = Cluster.Silos.Where(s => s != leaving).ToList();
        foreach (var other in others)
        {
            // The grain lives on the leaving silo: these calls are forwarded to it.
            await other.PostAsync(ResourcePath("Kustomization", "apps", "reconcile"));
        }

        var reader = others[0];
        var kustomizationBefore = await HistoryAsync(reader, "Kustomization", "apps");
        var sourceBefore = await HistoryAsync(reader, "GitRepository", "fleet");
        AssertComplete(kustomizationBefore, [], "Kustomization history before SIGTERM");
        Assert.Contains(kustomizationBefore, e => e.Type == "kustomization.applied");
        Assert.Equal(2, kustomizationBefore.Count(e => e.Type == "resource.reconcile-requested"));

        var clock = Stopwatch.StartNew();
        leaving.Terminate();
        var exitCode = await leaving.WaitForExitAsync(Clocks.ShutdownGrace + TimeSpan.FromSeconds(5));
        var exitedAfter = clock.Elapsed;
        Report($"{leaving.Name} (hosting the Kustomization) exited {exitCode} {exitedAfter.TotalSeconds:0.0} s after SIGTERM; its log ends:\n{leaving.LogTail(12)}");
        Assert.True(exitCode == 0, $"{leaving.Name} exited {exitCode} after SIGTERM:\n{leaving.LogTail()}");
        Assert.True(exitedAfter < Clocks.ShutdownGrace, $"{leaving.Name} took {exitedAfter.TotalSeconds:0.0} s to exit, more than its {Clocks.ShutdownGrace.TotalSeconds} s grace:\n{leaving.LogTail()}");

        var survivors = Cluster.Live.ToList();
        await WaitForMembersAsync(survivors, survivors, $"the survivors to see {leaving.Name} gone and each other Active");
        var second = CommitConfigMaps("v2");
        await WaitAppliedAsync(survivors[0], second, "v2");
        await WaitAppliedAsync(survivors[1], second, "v2");
        Report($"the survivors applied the next commit {clock.Elapsed.TotalSeconds:0.0} s after SIGTERM, the Kustomization now on {(await HostOfAsync(survivors, "kustomization")).Name}");

        foreach (var survivor in survivors)
        {
            await WaitListedAsync(survivor, second);
            await survivor.PostAsync(ResourcePath("Kustomization", "apps", "reconcile"));
        }

        foreach (var survivor in survivors)
        {
            var kustomization = await HistoryAsync(survivor, "Kustomization", "apps");
            AssertComplete(kustomization, kustomizationBefore, $"Kustomization history read through {survivor.Name}");
            Assert.Equal(kustomizationBefore.Count(e => e.Type == "kustomization.applied") + 1, kustomization.Count(e => e.Type == "kustomization.applied"));
            Assert.Equal(4, kustomization.Count(e => e.Type == "resource.reconcile-requested"));
            AssertComplete(await HistoryAsync(survivor, "GitRepository", "fleet"), sourceBefore, $"GitRepository history read through {survivor.Name}");
        }
    }
}
