using Granary.Contracts.Resources;

namespace Granary.Contracts.Events;

/// <summary>A HelmRelease's spec was applied (created or changed).</summary>
[EventType("helmrelease.spec-applied")]
public sealed record HelmReleaseSpecApplied(long Generation, HelmReleaseSpec Spec, Dictionary<string, string>? Labels);

/// <summary>
/// What a release is made of: chart name, version and digest, the merged values' digest (never the values), the rendered
/// manifest's digest in the blob store (Secret values replaced by their digests), the objects applied, and the release
/// (<c>namespace/releaseName</c>) it was made as.
/// </summary>
public sealed record ReleaseContent(
    string Chart,
    string ChartVersion,
    string? AppVersion,
    string ChartDigest,
    string ValuesDigest,
    string ManifestDigest,
    IReadOnlyList<string> Inventory,
    string? Release = null);

/// <summary>Release <paramref name="Release"/> was installed.</summary>
[EventType("helmrelease.release-installed")]
public sealed record ReleaseInstalled(long Generation, int Release, ReleaseContent Content, IReadOnlyList<string> Changes, DateTimeOffset At);

/// <summary>Release <paramref name="Release"/> upgraded the previous one.</summary>
[EventType("helmrelease.release-upgraded")]
public sealed record ReleaseUpgraded(long Generation, int Release, ReleaseContent Content, IReadOnlyList<string> Changes, DateTimeOffset At);

/// <summary>
/// Install (<paramref name="Action"/> <c>install</c>) or upgrade of release <paramref name="Release"/> failed; the objects it did apply are in the
/// inventory. <paramref name="Inputs"/> (generation, chart and values digests) keys the failure count for remediation.
/// </summary>
[EventType("helmrelease.upgrade-failed")]
public sealed record UpgradeFailed(long Generation, int Release, string Action, ReleaseContent Content, string Inputs, string Reason, string Message, DateTimeOffset At);

/// <summary>Release <paramref name="Release"/> rolled back to release <paramref name="ToRelease"/> by re-applying its stored manifests.</summary>
[EventType("helmrelease.rolled-back")]
public sealed record RolledBack(long Generation, int Release, int ToRelease, IReadOnlyList<string> Inventory, IReadOnlyList<string> Changes, DateTimeOffset At);

/// <summary>Release <paramref name="Release"/>'s objects were deleted (remediation, or the HelmRelease was deleted).</summary>
[EventType("helmrelease.uninstalled")]
public sealed record Uninstalled(int Release, string Why, IReadOnlyList<string> Objects, DateTimeOffset At);

/// <summary>The retries of <paramref name="Action"/> ran out for these inputs; nothing is tried again until chart, values or spec change.</summary>
[EventType("helmrelease.remediation-exhausted")]
public sealed record RemediationExhausted(long Generation, string Action, int Failures, string Inputs, DateTimeOffset At);

/// <summary>A reconcile failed before any Helm action (source, dependencies, values, render); recorded when the failure changes.</summary>
[EventType("helmrelease.reconcile-failed")]
public sealed record HelmReleaseFailed(long Generation, string Reason, string Message, DateTimeOffset At);

/// <summary>Cluster objects differ from release <paramref name="Release"/>; <paramref name="Corrected"/> when they were put back.</summary>
[EventType("helmrelease.drift-detected")]
public sealed record HelmDriftDetected(int Release, IReadOnlyList<string> Objects, bool Corrected, DateTimeOffset At);

/// <summary>A HelmRelease that depends on this one wants to be told when it becomes ready.</summary>
[EventType("helmrelease.dependent-added")]
public sealed record HelmDependentAdded(string Key);

/// <summary>A reconcile found the deployed release to be what the spec asks for after a spec change or a failure: the generation is observed, failures cleared.</summary>
[EventType("helmrelease.observed")]
public sealed record HelmReleaseObserved(long Generation, DateTimeOffset At);

/// <summary>A fleet HelmRelease (<c>spec.clusterSelector</c>) declared its member <paramref name="Member"/> (a HelmRelease with <c>clusterRef</c>) for <paramref name="Cluster"/>.</summary>
[EventType("helmrelease.fleet-member-declared")]
public sealed record HelmFleetMemberDeclared(string Cluster, string Member, long MemberGeneration);

/// <summary>A Cluster left a fleet HelmRelease's selection: its member was deleted (which uninstalls the release there).</summary>
[EventType("helmrelease.fleet-member-removed")]
public sealed record HelmFleetMemberRemoved(string Cluster, string Member);
