using Granary.Contracts.Resources;
using Granary.Testing;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Dependencies_gate_installs(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_release_waits_for_its_dependency_and_installs_when_told_it_is_ready()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();

        var waiting = await ApplyReleaseAsync("frontend", "0.1.0", spec => spec with { DependsOn = [new NamespacedObjectReference { Name = "backend" }] });

        var ready = waiting.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("DependencyNotReady", ready.Reason);
        Assert.Contains($"dependency '{Namespace}/backend' does not exist", ready.Message);
        Assert.Null(await ConfigMapDataAsync("frontend-settings"));

        Assert.True((await ApplyReleaseAsync("backend", "0.1.0")).IsReady);

        await Eventually.WaitUntilAsync(async () => (await Release("frontend").GetStatusAsync()).IsReady, Deadline, "the dependent release to install");
        Assert.NotNull(await ConfigMapDataAsync("frontend-settings"));
    }

    [Fact]
    public async Task A_dependency_cycle_stalls_every_release_in_it_naming_the_cycle()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await ApplyRepositoryAsync();

        await ApplyReleaseAsync("first", "0.1.0", spec => spec with { DependsOn = [new NamespacedObjectReference { Name = "second" }] });
        var second = await ApplyReleaseAsync("second", "0.1.0", spec => spec with { DependsOn = [new NamespacedObjectReference { Name = "first" }] });

        var ready = second.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("DependencyNotReady", ready.Reason);
        Assert.Contains($"spec.dependsOn: dependency cycle {Namespace}/second -> {Namespace}/first -> {Namespace}/second", ready.Message);
        await Eventually.WaitUntilAsync(
            async () => (await Release("first").GetStatusAsync()).Conditions.Single(c => c.Type == "Ready").Message.Contains($"dependency cycle {Namespace}/first -> {Namespace}/second -> {Namespace}/first"),
            Deadline, "the first release to report the cycle");
        Assert.Null(await ConfigMapDataAsync("first-settings"));
        Assert.Null(await ConfigMapDataAsync("second-settings"));
    }
}
