using Granary.Contracts.Clusters;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Runtime;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Clusters;

/// <summary>
/// The fleet of one namespace. Cluster grains report their labels here; a report that changes nothing appends nothing.
/// When a cluster joins, is relabelled or leaves, each subscriber whose selector's matches changed gets a
/// <see cref="FleetChange"/> by one-way message, as sources tell their subscribers about artifacts.
/// </summary>
public sealed class ClusterDirectoryGrain : EventSourcedGrain<ClusterDirectoryState>, IClusterDirectoryGrain
{
    /// <inheritdoc />
    protected override ClusterDirectoryState Apply(ClusterDirectoryState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    public async Task ReportAsync(string cluster, Dictionary<string, string>? labels)
    {
        RequireMemberOfThisNamespace(cluster);
        labels ??= [];
        if (State.Members.TryGetValue(cluster, out var known) && known.Count == labels.Count && known.All(pair => labels.GetValueOrDefault(pair.Key) == pair.Value))
        {
            return;
        }

        await ChangeAsync(cluster, new ClusterMemberReported(cluster, new Dictionary<string, string>(labels, StringComparer.Ordinal)));
    }

    /// <inheritdoc />
    public async Task LeaveAsync(string cluster)
    {
        if (State.Members.ContainsKey(cluster))
        {
            await ChangeAsync(cluster, new ClusterMemberLeft(cluster));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> SelectAsync(LabelSelector selector)
    {
        RequireValid(selector);
        return Task.FromResult(State.Select(selector));
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> MembersAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>>(
            State.Members.ToDictionary(m => m.Key, m => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(m.Value), StringComparer.Ordinal));

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> SubscribeAsync(GrainId subscriber, LabelSelector selector)
    {
        RequireValid(selector);
        var current = State.Subscriptions.FirstOrDefault(s => s.Subscriber == subscriber);
        if (current is null || !SameSelector(current.Selector, selector))
        {
            await RaiseAsync(new FleetSubscribed(subscriber.Kind, subscriber.Key, selector));
        }

        return State.Select(selector);
    }

    /// <inheritdoc />
    public async Task UnsubscribeAsync(GrainId subscriber)
    {
        if (State.Subscriptions.Any(s => s.Subscriber == subscriber))
        {
            await RaiseAsync(new FleetUnsubscribed(subscriber.Kind, subscriber.Key));
        }
    }

    /// <summary>Records a membership change of <paramref name="cluster"/>, then tells each subscriber whose matches it changed.</summary>
    private async Task ChangeAsync(string cluster, object change)
    {
        var before = State.Subscriptions.Select(s => Selects(s, cluster)).ToList();
        await RaiseAsync(change);
        for (var i = 0; i < State.Subscriptions.Count; i++)
        {
            var subscription = State.Subscriptions[i];
            var after = Selects(subscription, cluster);
            if (after == before[i])
            {
                continue;
            }

            var message = new FleetChange(Key, State.Select(subscription.Selector), after ? [cluster] : [], after ? [] : [cluster]);
            Logger.LogInformation("Fleet {Directory}: cluster {Cluster} {Change} the selection of {Subscriber}", Key, cluster, after ? "joined" : "left", subscription.Subscriber);
            await GrainFactory.Get<IClusterSubscriber>(subscription.Subscriber).FleetChangedAsync(message);
        }
    }

    private bool Selects(FleetSubscription subscription, string cluster) =>
        State.Members.TryGetValue(cluster, out var labels) && subscription.Selector.Matches(labels);

    private void RequireMemberOfThisNamespace(string cluster)
    {
        if (!cluster.StartsWith(Key + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Cluster {cluster} reported to the fleet directory of namespace {Key}; a Cluster belongs to the directory of its own namespace.");
        }
    }

    private static void RequireValid(LabelSelector selector)
    {
        if (selector.Validate() is { } error)
        {
            throw new ArgumentException($"Invalid cluster selector: {error}.");
        }
    }

    private static bool SameSelector(LabelSelector a, LabelSelector b) =>
        System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b);
}
