namespace Granary.Grains.Sources.Git;

/// <summary>The two git operations a source needs: list a remote's refs, and check out one commit of it.</summary>
public interface IGitClient
{
    /// <summary>Lists the refs <paramref name="url"/> advertises (<c>git ls-remote</c>), with peeled tags.</summary>
    Task<GitRemoteRefs> ListRemoteAsync(GitRepositoryUrl url, GitCredentials? credentials, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Fetches exactly <paramref name="revision"/>'s commit (shallow) into the repository's cache and writes its tree,
    /// without <c>.git</c>, into the new or empty directory <paramref name="destination"/>.
    /// </summary>
    Task CheckoutAsync(GitRepositoryUrl url, GitCredentials? credentials, GitRevision revision, string destination, TimeSpan timeout, CancellationToken cancellationToken);
}
