using Granary.Contracts.Resources;

namespace Granary.Contracts.Events;

/// <summary>A HelmRepository's spec was applied (created or changed).</summary>
[EventType("helmrepository.spec-applied")]
public sealed record HelmRepositorySpecApplied(long Generation, HelmRepositorySpec Spec, Dictionary<string, string>? Labels);

/// <summary>A new repository index was stored: its revision is the index digest, as Flux reports it; an OCI repository records its check with no digest.</summary>
[EventType("helmrepository.index-fetched")]
public sealed record HelmIndexFetched(long Generation, string Revision, string? Digest, long Size, DateTimeOffset At);

/// <summary>Fetching the index failed; recorded when the failure changes, not on every retry. Never carries credentials.</summary>
[EventType("helmrepository.fetch-failed")]
public sealed record HelmIndexFetchFailed(long Generation, string Reason, string Message, DateTimeOffset At);

/// <summary>A fetch succeeded without a new index, but a new generation was observed or a failure cleared.</summary>
[EventType("helmrepository.fetch-succeeded")]
public sealed record HelmIndexFetchSucceeded(long Generation, DateTimeOffset At);

/// <summary>A chart version was downloaded, verified and stored in the blob store.</summary>
[EventType("helmrepository.chart-pulled")]
public sealed record HelmChartPulled(string Chart, string Version, string? AppVersion, string Digest, long Size, DateTimeOffset At);

/// <summary>A HelmRelease wants to be told about new indexes.</summary>
[EventType("helmrepository.subscriber-added")]
public sealed record HelmRepositorySubscriberAdded(string Kind, string Key);
