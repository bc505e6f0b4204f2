using Granary.Grains.Versions;

namespace Granary.Grains.Sources.Git;

/// <summary>Resolves a <see cref="GitRef"/> to a <see cref="GitRevision"/> against the refs a remote advertises.</summary>
public static class GitRefResolver
{
    /// <summary>
    /// The revision of a commit ref, which needs no remote: <c>sha1:&lt;commit&gt;</c>, or <c>&lt;branch&gt;@sha1:&lt;commit&gt;</c>
    /// when a branch is given too (the commit is then fetched from that branch).
    /// </summary>
    public static GitRevision ResolveCommit(GitRef gitRef)
    {
        var commit = gitRef.NormalizedCommit ?? throw new ArgumentException("The ref is not a commit ref.", nameof(gitRef));
        return string.IsNullOrEmpty(gitRef.Branch)
            ? new GitRevision(GitRevision.Format(null, commit), commit, null, DeepFetch: true)
            : new GitRevision(GitRevision.Format(gitRef.Branch, commit), commit, "refs/heads/" + gitRef.Branch, DeepFetch: true);
    }

    /// <summary>
    /// Resolves <paramref name="gitRef"/> against <paramref name="refs"/>; throws <see cref="GitSourceException"/>
    /// (<see cref="GitSourceFailure.RefNotFound"/>) naming <paramref name="displayUrl"/> when nothing matches.
    /// </summary>
    public static GitRevision Resolve(GitRef gitRef, GitRemoteRefs refs, string displayUrl)
    {
        switch (gitRef.Kind)
        {
            case GitRefKind.Commit:
                return ResolveCommit(gitRef);
            case GitRefKind.Name:
            {
                var commit = refs.CommitOf(gitRef.Name!) ?? throw NotFound(gitRef, displayUrl);
                var fetchName = gitRef.Name!.EndsWith("^{}", StringComparison.Ordinal) ? gitRef.Name[..^3] : gitRef.Name;
                return new GitRevision(GitRevision.Format(gitRef.Name, commit), commit, fetchName);
            }

            case GitRefKind.Semver:
            {
                var range = SemVerRange.Parse(gitRef.Semver!);
                var candidates = refs.TagNames()
                    .Select(tag => SemVer.TryParse(tag, out var version) ? version : null)
                    .OfType<SemVer>()
                    .Where(range.IsSatisfiedBy)
                    .ToList();
                if (candidates.Count == 0)
                {
                    throw NotFound(gitRef, displayUrl);
                }

                // Equal precedence (build metadata, a 'v' prefix): Flux prefers the newer commit, which ls-remote
                // cannot tell; the greatest tag name keeps the choice deterministic.
                var best = candidates.Max()!;
                var tag = candidates.Where(v => v.CompareTo(best) == 0).Select(v => v.Original).Max(StringComparer.Ordinal)!;
                var commit = refs.CommitOf("refs/tags/" + tag)!;
                return new GitRevision(GitRevision.Format(tag, commit), commit, "refs/tags/" + tag);
            }

            case GitRefKind.Tag:
            {
                var commit = refs.CommitOf("refs/tags/" + gitRef.Tag) ?? throw NotFound(gitRef, displayUrl);
                return new GitRevision(GitRevision.Format(gitRef.Tag, commit), commit, "refs/tags/" + gitRef.Tag);
            }

            default:
            {
                var branch = gitRef.EffectiveBranch;
                var commit = refs.CommitOf("refs/heads/" + branch) ?? throw NotFound(gitRef, displayUrl);
                return new GitRevision(GitRevision.Format(branch, commit), commit, "refs/heads/" + branch);
            }
        }
    }

    private static GitSourceException NotFound(GitRef gitRef, string displayUrl)
    {
        var fix = gitRef.Kind switch
        {
            GitRefKind.Semver => "no tag matches the range; push a matching tag or widen spec.ref.semver",
            GitRefKind.Branch when string.IsNullOrEmpty(gitRef.Branch) => "no ref given, so Flux's default branch 'master' is used; set spec.ref.branch (e.g. 'main')",
            _ => "check the spelling in spec.ref or push the reference",
        };
        return new GitSourceException(GitSourceFailure.RefNotFound, $"Git repository '{displayUrl}' has no {gitRef.Describe()}: {fix}.");
    }
}
