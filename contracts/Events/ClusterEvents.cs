using Granary.Contracts.Clusters;
using Granary.Contracts.Resources;

namespace Granary.Contracts.Events;

/// <summary>A Cluster's spec or labels were applied (created or changed). The spec holds Secret references, never credentials.</summary>
[EventType("cluster.spec-applied")]
public sealed record ClusterSpecApplied(long Generation, ClusterSpec Spec, Dictionary<string, string>? Labels);

/// <summary>The cluster answered its probe (ready, version) after being unknown or unreachable, or with a new version or generation.</summary>
[EventType("cluster.connected")]
public sealed record ClusterConnected(long Generation, string Server, string Version, string? Platform, DateTimeOffset At);

/// <summary>The cluster could not be used; recorded when it stops answering or the reason changes, never per probe.</summary>
[EventType("cluster.unreachable")]
public sealed record ClusterUnreachable(long Generation, string Reason, string Message, DateTimeOffset At);

/// <summary>A cluster joined a fleet directory, or its labels changed.</summary>
[EventType("clusterdirectory.member-reported")]
public sealed record ClusterMemberReported(string Cluster, Dictionary<string, string> Labels);

/// <summary>A cluster left a fleet directory (deleted).</summary>
[EventType("clusterdirectory.member-left")]
public sealed record ClusterMemberLeft(string Cluster);

/// <summary>A grain asked to be told when the clusters matching <paramref name="Selector"/> change.</summary>
[EventType("clusterdirectory.subscribed")]
public sealed record FleetSubscribed(string Kind, string Key, LabelSelector Selector);

/// <summary>A grain no longer wants to be told about fleet changes.</summary>
[EventType("clusterdirectory.unsubscribed")]
public sealed record FleetUnsubscribed(string Kind, string Key);
