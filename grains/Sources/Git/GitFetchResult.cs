using Granary.Grains.Artifacts;

namespace Granary.Grains.Sources.Git;

/// <summary>The outcome of <see cref="GitSource.FetchAsync"/>: the revision is unchanged, or there is a new artifact.</summary>
public abstract record GitFetchResult(string Revision)
{
    /// <summary>The remote still points at the last revision: nothing was fetched or packed.</summary>
    public sealed record Unchanged(string Revision) : GitFetchResult(Revision);

    /// <summary>A new artifact; the caller stores <see cref="Artifact.Bytes"/> in the blob store under <see cref="Artifact.Digest"/>.</summary>
    /// <param name="Artifact">The packed revision.</param>
    /// <param name="SkippedSymlinks">Symlinks left out of the artifact (they leave the tree, dangle or loop).</param>
    public sealed record Fetched(Artifact Artifact, IReadOnlyList<string> SkippedSymlinks) : GitFetchResult(Artifact.Revision);
}
