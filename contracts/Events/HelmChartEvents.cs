using Granary.Contracts.Resources;

namespace Granary.Contracts.Events;

/// <summary>A HelmChart's spec was applied (created or changed).</summary>
[EventType("helmchart.spec-applied")]
public sealed record HelmChartSpecApplied(long Generation, HelmChartSpec Spec, Dictionary<string, string>? Labels);

/// <summary>
/// A new chart artifact was stored: the chart's name, version (the artifact revision, as Flux reports it), app version, the
/// tarball's digest and size in the blob store, and the source revision it came from.
/// </summary>
[EventType("helmchart.artifact-stored")]
public sealed record HelmChartArtifactStored(long Generation, string Chart, string Version, string? AppVersion, string Digest, long Size, string? SourceRevision, DateTimeOffset At);

/// <summary>A pull succeeded without a new artifact, but a new generation was observed or a failure cleared.</summary>
[EventType("helmchart.pull-succeeded")]
public sealed record HelmChartPullSucceeded(long Generation, DateTimeOffset At);

/// <summary>Pulling the chart failed; recorded when the failure changes, not on every retry. Never carries credentials.</summary>
[EventType("helmchart.pull-failed")]
public sealed record HelmChartPullFailed(long Generation, string Reason, string Message, DateTimeOffset At);

/// <summary>A HelmRelease wants to be told about new chart artifacts.</summary>
[EventType("helmchart.subscriber-added")]
public sealed record HelmChartSubscriberAdded(string Kind, string Key);
