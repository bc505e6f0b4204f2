using Granary.Contracts.Grains;

namespace Granary.Contracts.Clusters;

/// <summary>
/// The fleet of one namespace: which Clusters exist with which labels, and who wants to hear when the clusters matching
/// their selector change. Cluster grains report to it; Kustomizations and HelmReleases that target fleets subscribe.
/// Key: the namespace.
/// </summary>
[GrainKind("clusterdirectory")]
public interface IClusterDirectoryGrain : IGrain
{
    /// <summary>A Cluster (key <c>namespace/name</c>) exists with <paramref name="labels"/>; recorded only when new or changed.</summary>
    Task ReportAsync(string cluster, Dictionary<string, string>? labels);

    /// <summary>A Cluster was deleted.</summary>
    Task LeaveAsync(string cluster);

    /// <summary>The keys of the clusters whose labels match <paramref name="selector"/>, sorted.</summary>
    [ReadOnly]
    Task<IReadOnlyList<string>> SelectAsync(LabelSelector selector);

    /// <summary>Every member and its labels.</summary>
    [ReadOnly]
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> MembersAsync();

    /// <summary>
    /// Registers <paramref name="subscriber"/> (an <see cref="IClusterSubscriber"/>) to be told when the clusters matching
    /// <paramref name="selector"/> change, replacing its earlier selector; returns the clusters matching now.
    /// </summary>
    Task<IReadOnlyList<string>> SubscribeAsync(GrainId subscriber, LabelSelector selector);

    /// <summary>Stops telling <paramref name="subscriber"/>.</summary>
    Task UnsubscribeAsync(GrainId subscriber);
}

/// <summary>A grain that targets a fleet: told when the clusters matching its selector change.</summary>
public interface IClusterSubscriber : IGrain
{
    /// <summary>The clusters matching this subscriber's selector changed.</summary>
    [OneWay]
    Task FleetChangedAsync(FleetChange change);
}

/// <summary>A change of the clusters a subscriber's selector matches: all of them now, and which joined or left.</summary>
/// <param name="Directory">The directory (namespace) that sent it.</param>
/// <param name="Clusters">Every matching cluster key now, sorted.</param>
/// <param name="Joined">Clusters that match now and did not before (new, or relabelled).</param>
/// <param name="Left">Clusters that matched before and no longer do (deleted, or relabelled).</param>
public sealed record FleetChange(string Directory, IReadOnlyList<string> Clusters, IReadOnlyList<string> Joined, IReadOnlyList<string> Left);
