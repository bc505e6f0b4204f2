using Granary.Contracts.Resources;

namespace Granary.Contracts.Events;

/// <summary>A GitRepository's spec was applied (created or changed); the generation counts spec changes.</summary>
[EventType("gitrepository.spec-applied")]
public sealed record GitRepositorySpecApplied(long Generation, GitRepositorySpec Spec, Dictionary<string, string>? Labels);

/// <summary>
/// A new artifact: the revision Flux would report, its digest in the blob store, its size and commit, and a fingerprint of
/// the other inputs that shaped it (ignore rules, included artifacts), so a change of those rebuilds it.
/// </summary>
[EventType("gitrepository.artifact-fetched")]
public sealed record ArtifactFetched(long Generation, string Revision, string Digest, long Size, string Commit, DateTimeOffset At, string? Inputs = null);

/// <summary>A fetch succeeded without a new artifact, but something changed: a new generation observed, or a failure cleared.</summary>
[EventType("gitrepository.fetch-succeeded")]
public sealed record FetchSucceeded(long Generation, string Revision, DateTimeOffset At);

/// <summary>Fetching failed; recorded when the failure changes, not on every retry.</summary>
[EventType("gitrepository.fetch-failed")]
public sealed record FetchFailed(long Generation, string Reason, string Message, DateTimeOffset At);

/// <summary>A Kustomization (or HelmRelease) wants to be told about new artifacts.</summary>
[EventType("gitrepository.subscriber-added")]
public sealed record SubscriberAdded(string Kind, string Key);
