namespace Granary.Grains.Sources.Git;

/// <summary>
/// A Git source operation failed. The message names the repository URL without credentials and never contains a
/// secret; <see cref="Reason"/> is the Flux condition reason to report.
/// </summary>
public sealed class GitSourceException(GitSourceFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What kind of failure this is.</summary>
    public GitSourceFailure Failure { get; } = failure;

    /// <summary>The Flux reason for the Ready condition: <c>AuthenticationFailed</c>, <c>GitOperationFailed</c>, <c>InvalidSpec</c> or <c>ArtifactFailed</c>.</summary>
    public string Reason => Failure switch
    {
        GitSourceFailure.AuthenticationFailed => "AuthenticationFailed",
        GitSourceFailure.InvalidSpec => "InvalidSpec",
        GitSourceFailure.TooLarge => "ArtifactFailed",
        _ => "GitOperationFailed",
    };

    /// <summary>True when retrying later may succeed without a spec change (network, timeouts, a ref that moved).</summary>
    public bool IsTransient => Failure is GitSourceFailure.GitOperationFailed or GitSourceFailure.TimedOut or GitSourceFailure.RefNotFound;
}

/// <summary>The kinds of Git source failure.</summary>
public enum GitSourceFailure
{
    /// <summary>A git command failed (unreachable repository, server error, a ref that moved during the fetch).</summary>
    GitOperationFailed,

    /// <summary>The server refused the credentials, or the SSH host key is unknown.</summary>
    AuthenticationFailed,

    /// <summary>The spec cannot work as written (bad URL, malformed ref or range, unusable credentials).</summary>
    InvalidSpec,

    /// <summary>The repository has no such branch, tag or ref, or no tag in the semver range (it may appear later).</summary>
    RefNotFound,

    /// <summary>A git command ran past its timeout and was killed.</summary>
    TimedOut,

    /// <summary>Output, tree or artifact exceeded its size limit.</summary>
    TooLarge,
}
