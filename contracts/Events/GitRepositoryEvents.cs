using Granary.Contracts.Resources;

namespace Granary.Contracts.Events;

/// <summary>A GitRepository's spec was applied (created or changed); the generation counts spec changes.</summary>
[EventType("gitrepository.spec-applied")]
public sealed record GitRepositorySpecApplied(long Generation, GitRepositorySpec Spec, Dictionary<string, string>? Labels);

/// <summary>A new artifact: the revision Flux would report, its digest in the blob store, its size and commit.</summary>
[EventType("gitrepository.artifact-fetched")]
public sealed record ArtifactFetched(string Revision, string Digest, long Size, string Commit);

/// <summary>Fetching failed; recorded when the failure changes, not on every retry.</summary>
[EventType("gitrepository.fetch-failed")]
public sealed record FetchFailed(string Reason, string Message);

/// <summary>A Kustomization (or HelmRelease) wants to be told about new artifacts.</summary>
[EventType("gitrepository.subscriber-added")]
public sealed record SubscriberAdded(string Kind, string Key);
