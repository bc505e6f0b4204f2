using Granary.Contracts.Resources;

namespace Granary.Contracts.Events;

/// <summary>An OCIRepository's spec was applied (created or changed).</summary>
[EventType("ocirepository.spec-applied")]
public sealed record OCIRepositorySpecApplied(long Generation, OCIRepositorySpec Spec, Dictionary<string, string>? Labels);

/// <summary>
/// A new artifact was stored: its revision as Flux reports it (<c>tag@sha256:&lt;manifest digest&gt;</c>, or the digest alone),
/// the stored layer's digest and size in the blob store, and its media type.
/// </summary>
[EventType("ocirepository.artifact-stored")]
public sealed record OCIArtifactStored(long Generation, string Revision, string Digest, long Size, string MediaType, DateTimeOffset At);

/// <summary>A check succeeded without a new artifact, but a new generation was observed or a failure cleared.</summary>
[EventType("ocirepository.pull-succeeded")]
public sealed record OCIArtifactPullSucceeded(long Generation, DateTimeOffset At);

/// <summary>Checking or pulling failed; recorded when the failure changes, not on every retry. Never carries credentials.</summary>
[EventType("ocirepository.pull-failed")]
public sealed record OCIArtifactPullFailed(long Generation, string Reason, string Message, DateTimeOffset At);

/// <summary>A HelmRelease wants to be told about new artifacts.</summary>
[EventType("ocirepository.subscriber-added")]
public sealed record OCIRepositorySubscriberAdded(string Kind, string Key);
