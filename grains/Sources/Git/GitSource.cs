using Granary.Grains.Artifacts;

namespace Granary.Grains.Sources.Git;

/// <summary>
/// Produces a GitRepository's artifact, step by step as Flux does: resolve the ref with <c>git ls-remote</c> (an
/// unchanged revision ends here, with no fetch), check out exactly that commit, copy the includes in, and pack the
/// tree minus ignored paths into a deterministic tar.gz. Storing the bytes and recording events is the caller's job.
/// </summary>
public sealed class GitSource(IGitClient git, ArtifactBuilder builder, ArtifactExtractor extractor, string scratchDirectory)
{
    /// <summary>
    /// Fetches <paramref name="request"/> unless the remote still points at <paramref name="lastRevision"/>. Pass
    /// null as <paramref name="lastRevision"/> to force a new artifact, e.g. when <c>spec.ignore</c> or an include
    /// changed. Throws <see cref="GitSourceException"/> or <see cref="ArtifactException"/>; neither holds a secret.
    /// </summary>
    public async Task<GitFetchResult> FetchAsync(GitSourceRequest request, string? lastRevision, CancellationToken cancellationToken)
    {
        var url = GitRepositoryUrl.Parse(request.Url);
        var gitRef = request.Ref ?? GitRef.Default;
        gitRef.Validate();
        var timeout = request.Timeout ?? GitSourceRequest.DefaultTimeout;
        var deadline = GitDeadline.After(timeout);

        var revision = await ResolveAsync(url, gitRef, request.Credentials, timeout, cancellationToken);
        if (revision.Revision == lastRevision)
        {
            return new GitFetchResult.Unchanged(revision.Revision);
        }

        var workspace = Path.Combine(scratchDirectory, "source-" + Path.GetRandomFileName());
        var tree = Path.Combine(workspace, "tree");
        try
        {
            await git.CheckoutAsync(url, request.Credentials, revision, tree, deadline.Remaining, cancellationToken);
            foreach (var include in request.Includes ?? [])
            {
                await include.CopyIntoAsync(tree, extractor, workspace, cancellationToken);
            }

            var packed = builder.Pack(tree, SourceIgnore.ForTree(tree, request.Ignore), cancellationToken);
            var artifact = new Artifact(revision.Revision, revision.Commit, packed.Digest, packed.Size, packed.Bytes);
            return new GitFetchResult.Fetched(artifact, packed.SkippedSymlinks);
        }
        finally
        {
            if (Directory.Exists(workspace))
            {
                Directory.Delete(workspace, recursive: true);
            }
        }
    }

    /// <summary>
    /// Resolves the ref to a revision: a commit ref needs no remote; every other kind lists the remote's refs.
    /// </summary>
    public async Task<GitRevision> ResolveAsync(GitRepositoryUrl url, GitRef gitRef, GitCredentials? credentials, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (gitRef.Kind == GitRefKind.Commit)
        {
            return GitRefResolver.ResolveCommit(gitRef);
        }

        var refs = await git.ListRemoteAsync(url, credentials, timeout, cancellationToken);
        return GitRefResolver.Resolve(gitRef, refs, url.Display);
    }
}
