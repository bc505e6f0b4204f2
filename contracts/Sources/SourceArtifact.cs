namespace Granary.Contracts.Sources;

/// <summary>A source's artifact as consumers see it: revision, digest in the blob store, size, and when it was fetched.</summary>
public sealed record SourceArtifact(string Revision, string Digest, long Size, DateTimeOffset FetchedAt);
