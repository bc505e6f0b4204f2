using Granary.Contracts.Clusters;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;

namespace Granary.Grains.Clusters;

/// <summary>A fleet directory's state: the member clusters with their labels, and the subscribers with their selectors.</summary>
public sealed class ClusterDirectoryState
{
    /// <summary>Cluster key → labels.</summary>
    public Dictionary<string, Dictionary<string, string>> Members { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Who is told about changes, and what they select.</summary>
    public List<FleetSubscription> Subscriptions { get; set; } = [];

    /// <summary>The member keys <paramref name="selector"/> matches, sorted.</summary>
    public IReadOnlyList<string> Select(LabelSelector selector) =>
        [.. Members.Where(member => selector.Matches(member.Value)).Select(member => member.Key).Order(StringComparer.Ordinal)];

    /// <summary>Folds one event.</summary>
    public ClusterDirectoryState Apply(object @event)
    {
        switch (@event)
        {
            case ClusterMemberReported reported:
                Members[reported.Cluster] = reported.Labels;
                break;
            case ClusterMemberLeft left:
                Members.Remove(left.Cluster);
                break;
            case FleetSubscribed subscribed:
                Subscriptions.RemoveAll(s => s.Subscriber == new GrainId(subscribed.Kind, subscribed.Key));
                Subscriptions.Add(new FleetSubscription(new GrainId(subscribed.Kind, subscribed.Key), subscribed.Selector));
                break;
            case FleetUnsubscribed unsubscribed:
                Subscriptions.RemoveAll(s => s.Subscriber == new GrainId(unsubscribed.Kind, unsubscribed.Key));
                break;
        }

        return this;
    }
}

/// <summary>A subscriber and the selector whose matches it follows.</summary>
public sealed record FleetSubscription(GrainId Subscriber, LabelSelector Selector);
