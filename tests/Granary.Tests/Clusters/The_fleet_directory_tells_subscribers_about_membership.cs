using Granary.Contracts.Clusters;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Clusters;

public sealed class The_fleet_directory_tells_subscribers_about_membership(LocalKubernetes kubernetes) : FleetTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private static readonly LabelSelector Prod = new() { MatchLabels = new() { ["env"] = "prod" } };

    [Fact]
    public async Task Joins_relabels_and_deletions_reach_the_subscriber_whose_selection_they_change()
    {
        await ApplyClusterAsync("prod-eu", Unreachable(), new() { ["env"] = "prod", ["region"] = "eu" });
        await ApplyClusterAsync("staging", Unreachable(), new() { ["env"] = "staging" });
        var subscriber = new GrainId("test-fleet-subscriber", $"{Namespace}/apps");

        var initial = await Directory.SubscribeAsync(subscriber, Prod);
        Assert.Equal([$"{Namespace}/prod-eu"], initial);

        await ApplyClusterAsync("prod-us", Unreachable(), new() { ["env"] = "prod", ["region"] = "us" });
        await ApplyClusterAsync("staging", Unreachable(), new() { ["env"] = "prod" });
        await ApplyClusterAsync("prod-eu", Unreachable(), new() { ["env"] = "prod", ["region"] = "eu", ["tier"] = "gold" }); // still selected: no message
        await ApplyClusterAsync("prod-us", Unreachable(), new() { ["env"] = "dev" });
        await ClusterGrain("staging").DeleteAsync();

        var changes = await ChangesAsync("apps", 4);
        Assert.Equal([$"{Namespace}/prod-us"], changes[0].Joined);
        Assert.Equal([$"{Namespace}/staging"], changes[1].Joined);
        Assert.Equal([$"{Namespace}/prod-eu", $"{Namespace}/prod-us", $"{Namespace}/staging"], changes[1].Clusters);
        Assert.Equal([$"{Namespace}/prod-us"], changes[2].Left);
        Assert.Equal([$"{Namespace}/staging"], changes[3].Left);
        Assert.Equal([$"{Namespace}/prod-eu"], changes[3].Clusters);
        Assert.All(changes, c => Assert.Equal(Namespace.Name, c.Directory));
    }

    [Fact]
    public async Task Selections_use_matchExpressions_and_unchanged_reports_append_nothing()
    {
        await ApplyClusterAsync("prod-eu", Unreachable(), new() { ["env"] = "prod", ["region"] = "eu" });
        await ApplyClusterAsync("prod-us", Unreachable(), new() { ["env"] = "prod", ["region"] = "us" });
        await ApplyClusterAsync("lab", Unreachable());

        var notUs = await Directory.SelectAsync(new LabelSelector { MatchExpressions = [new() { Key = "region", Operator = "NotIn", Values = ["us"] }] });
        var withRegion = await Directory.SelectAsync(new LabelSelector { MatchExpressions = [new() { Key = "region", Operator = "Exists" }] });
        await Directory.ReportAsync($"{Namespace}/lab", null);
        await ClusterGrain("lab").ReconcileAsync();

        Assert.Equal([$"{Namespace}/lab", $"{Namespace}/prod-eu"], notUs);
        Assert.Equal([$"{Namespace}/prod-eu", $"{Namespace}/prod-us"], withRegion);
        Assert.Equal(3, await CountDirectoryEventsAsync<ClusterMemberReported>());
        await Assert.ThrowsAsync<ArgumentException>(() => Directory.SelectAsync(new LabelSelector { MatchExpressions = [new() { Key = "env", Operator = "Is" }] }));
    }

    [Fact]
    public async Task A_subscriber_that_left_hears_nothing_more()
    {
        var subscriber = new GrainId("test-fleet-subscriber", $"{Namespace}/gone");
        await Directory.SubscribeAsync(subscriber, Prod);
        await ApplyClusterAsync("prod-1", Unreachable(), new() { ["env"] = "prod" });
        await ChangesAsync("gone", 1);

        await Directory.UnsubscribeAsync(subscriber);
        await ApplyClusterAsync("prod-2", Unreachable(), new() { ["env"] = "prod" });
        // A second subscriber hears of prod-2; by then a message to the first would have been sent too.
        await Directory.SubscribeAsync(new GrainId("test-fleet-subscriber", $"{Namespace}/witness"), Prod);
        await ApplyClusterAsync("prod-3", Unreachable(), new() { ["env"] = "prod" });
        await ChangesAsync("witness", 1);

        Assert.Single(FleetChanges[$"{Namespace}/gone"]);
    }

    /// <summary>Clusters in these tests need not be reachable: their Secret does not exist.</summary>
    private static ClusterSpec Unreachable() => KubeConfigSpec("absent");

    private async Task<List<FleetChange>> ChangesAsync(string subscriber, int count)
    {
        var key = $"{Namespace}/{subscriber}";
        await Eventually.WaitUntilAsync(() => FleetChanges.TryGetValue(key, out var queue) && queue.Count >= count, Deadline, $"{count} fleet changes for {key}");
        return [.. FleetChanges[key]];
    }

    private async Task<int> CountDirectoryEventsAsync<T>()
    {
        var count = 0;
        await foreach (var e in Silo.Silo.EventStore.ReadStreamAsync($"clusterdirectory/{Namespace}"))
        {
            count += e.Data is T ? 1 : 0;
        }

        return count;
    }
}
