namespace Granary.Contracts.Resources;

/// <summary>A Git source (<c>source.toolkit.fluxcd.io/v1</c>, kind <c>GitRepository</c>).</summary>
public sealed record GitRepository : ResourceDocument
{
    /// <summary>The API version Granary reads.</summary>
    public const string Version = "source.toolkit.fluxcd.io/v1";

    /// <summary>What to fetch and how often.</summary>
    public required GitRepositorySpec Spec { get; init; }
}

/// <summary>The desired state of a GitRepository, with Flux's field names.</summary>
public sealed record GitRepositorySpec
{
    /// <summary>The repository URL: https, ssh, or file:// for a local repository.</summary>
    public required string Url { get; init; }

    /// <summary>Credentials: https <c>username</c>/<c>password</c> or <c>bearerToken</c>; ssh <c>identity</c> and <c>known_hosts</c>.</summary>
    public LocalObjectReference? SecretRef { get; init; }

    /// <summary>The credential provider (generic only in Granary today).</summary>
    public string? Provider { get; init; }

    /// <summary>How often to look for new commits.</summary>
    public required GoDuration Interval { get; init; }

    /// <summary>The deadline of each Git operation (default 60s).</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>What to check out: branch, tag, semver range, ref name or commit (default branch master).</summary>
    public GitRepositoryRef? Ref { get; init; }

    /// <summary>Extra ignore rules in .sourceignore syntax.</summary>
    public string? Ignore { get; init; }

    /// <summary>Stop fetching.</summary>
    public bool Suspend { get; init; }

    /// <summary>Other GitRepositories whose artifacts are copied into this one's.</summary>
    public List<GitRepositoryInclude>? Include { get; init; }

    /// <summary>Commit signature verification (accepted; not enforced yet).</summary>
    public GitRepositoryVerification? Verify { get; init; }

    /// <summary>Whether to fetch submodules (accepted; not supported yet).</summary>
    public bool RecurseSubmodules { get; init; }

    /// <summary>Only these directories go into the artifact.</summary>
    public List<string>? SparseCheckout { get; init; }

    /// <summary>A Secret with proxy settings (accepted; not supported yet).</summary>
    public LocalObjectReference? ProxySecretRef { get; init; }
}

/// <summary>Which revision of a Git repository to use. Precedence: commit, name, semver, tag, branch.</summary>
public sealed record GitRepositoryRef
{
    /// <summary>A branch, e.g. <c>main</c>.</summary>
    public string? Branch { get; init; }

    /// <summary>A tag, e.g. <c>v1.2.3</c>.</summary>
    public string? Tag { get; init; }

    /// <summary>A SemVer range over tags, e.g. <c>&gt;=1.0.0 &lt;2.0.0</c>.</summary>
    public string? Semver { get; init; }

    /// <summary>A full reference name, e.g. <c>refs/heads/main</c> or <c>refs/pull/42/head</c>.</summary>
    public string? Name { get; init; }

    /// <summary>A commit SHA-1.</summary>
    public string? Commit { get; init; }
}

/// <summary>Another GitRepository's artifact copied into a sub path of this one's.</summary>
public sealed record GitRepositoryInclude
{
    /// <summary>The included GitRepository (same namespace).</summary>
    public required LocalObjectReference Repository { get; init; }

    /// <summary>The directory of the included artifact to copy (default: all of it).</summary>
    public string? FromPath { get; init; }

    /// <summary>Where to put it (default: the included repository's name).</summary>
    public string? ToPath { get; init; }
}

/// <summary>How commit signatures are verified.</summary>
public sealed record GitRepositoryVerification
{
    /// <summary>What to verify: HEAD, Tag or TagAndHEAD.</summary>
    public string? Mode { get; init; }

    /// <summary>The Secret with the trusted public keys.</summary>
    public required LocalObjectReference SecretRef { get; init; }
}
