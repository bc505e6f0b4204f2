using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.GitOps;

public sealed class Dependencies_gate_applies(LocalKubernetes kubernetes) : GitOpsTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Apps_wait_for_infrastructure_and_follow_it_as_soon_as_it_is_ready()
    {
        Repository.Commit(new Dictionary<string, string>
        {
            ["infrastructure/base.yaml"] = ConfigMap("base", "infra"),
            ["apps/app.yaml"] = ConfigMap("app", "app"),
        });
        await ApplySourceAsync();

        // Apps first: it must wait, record why once, and go ahead when infrastructure becomes ready.
        var waiting = await ApplyKustomizationAsync("apps", "./apps", s => s with { DependsOn = [new NamespacedObjectReference { Name = "infrastructure" }] });
        Assert.False(waiting.IsReady);
        Assert.Null(await ConfigMapValueAsync("app"));
        Assert.Single(await EventsAsync<DependencyNotReady>("apps"));

        await ApplyKustomizationAsync("infrastructure", "./infrastructure");

        await Eventually.WaitUntilAsync(async () => (await KustomizationGrain("apps").GetStatusAsync()).IsReady, Deadline, "apps to be applied once infrastructure is ready");
        Assert.Equal("app", await ConfigMapValueAsync("app"));
        Assert.Single(await EventsAsync<DependencyNotReady>("apps"));
    }

    [Fact]
    public async Task A_dependency_cycle_is_reported_with_the_cycle_named()
    {
        Repository.Commit(new Dictionary<string, string> { ["a/a.yaml"] = ConfigMap("a", "a"), ["b/b.yaml"] = ConfigMap("b", "b") });
        await ApplySourceAsync();

        await ApplyKustomizationAsync("a", "./a", s => s with { DependsOn = [new NamespacedObjectReference { Name = "b" }] });
        var status = await ApplyKustomizationAsync("b", "./b", s => s with { DependsOn = [new NamespacedObjectReference { Name = "a" }] });

        var ready = status.Conditions.First(c => c.Type == "Ready");
        Assert.Equal(("False", "DependencyNotReady"), (ready.Status, ready.Reason));
        Assert.Contains($"spec.dependsOn: dependency cycle {Namespace}/b -> {Namespace}/a -> {Namespace}/b", ready.Message);
    }
}
