using Granary.Contracts.Resources;

namespace Granary.Contracts.Events;

/// <summary>A Kustomization's spec was applied (created or changed).</summary>
[EventType("kustomization.spec-applied")]
public sealed record KustomizationSpecApplied(long Generation, KustomizationSpec Spec, Dictionary<string, string>? Labels);

/// <summary>
/// Manifests of a revision were applied. <paramref name="Changes"/> lists only objects created, configured or deleted
/// (as "Kind namespace/name action"); <paramref name="Inventory"/> is every object applied, as Flux's inventory ids.
/// <paramref name="Cluster"/> names the fleet Cluster (<c>namespace/name</c>) for a <c>clusterSelector</c>; null for the
/// single target (the silo's cluster, <c>kubeConfig</c> or <c>clusterRef</c>). <paramref name="Resources"/> lists the
/// Granary resources (Flux kinds, Clusters) the build declared to Granary itself, as <c>Kind namespace/name|generation</c>;
/// null when it has none and had none.
/// </summary>
[EventType("kustomization.applied")]
public sealed record Applied(long Generation, string Revision, IReadOnlyList<string> Changes, IReadOnlyList<string> Inventory, DateTimeOffset At, string? Cluster = null, IReadOnlyList<string>? Resources = null);

/// <summary>
/// A reconcile failed (build, decryption, apply, health, prune); recorded when the failure changes. <paramref name="Cluster"/>
/// names the fleet Cluster whose apply failed; null when the failure is the whole Kustomization's (or its single target's).
/// </summary>
[EventType("kustomization.apply-failed")]
public sealed record ApplyFailed(long Generation, string Revision, string Reason, string Message, DateTimeOffset At, string? Cluster = null);

/// <summary>
/// A fleet Cluster left the <c>clusterSelector</c> (relabelled or deleted): what was applied there was pruned
/// (<paramref name="Pruned"/>), or could not be (<paramref name="Problem"/>, e.g. the Cluster no longer exists).
/// </summary>
[EventType("kustomization.cluster-released")]
public sealed record ClusterReleased(string Cluster, IReadOnlyList<string> Pruned, string? Problem);

/// <summary>A dependency was not ready; recorded once per revision and dependency.</summary>
[EventType("kustomization.dependency-not-ready")]
public sealed record DependencyNotReady(string Revision, string Dependency, string Message);

/// <summary>A Kustomization that depends on this one wants to be told when this one is ready.</summary>
[EventType("kustomization.dependent-added")]
public sealed record DependentAdded(string Key);

/// <summary>Objects that left the source were deleted (alongside the <see cref="Applied"/> of the same reconcile).</summary>
[EventType("kustomization.pruned")]
public sealed record Pruned(string Revision, IReadOnlyList<string> Objects, string? Cluster = null);

/// <summary>Objects changed in the cluster behind Granary's back were put back to the source's revision.</summary>
[EventType("kustomization.drift-corrected")]
public sealed record DriftCorrected(string Revision, IReadOnlyList<string> Objects, string? Cluster = null);

/// <summary>The health checks of a revision passed (recorded once per revision and generation).</summary>
[EventType("kustomization.health-checked")]
public sealed record HealthChecked(string Revision, string Message, string? Cluster = null);
