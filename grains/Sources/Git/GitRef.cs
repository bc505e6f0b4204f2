namespace Granary.Grains.Sources.Git;

/// <summary>
/// A GitRepository's <c>spec.ref</c> (<c>source.toolkit.fluxcd.io/v1</c>). Several fields may be set; as in Flux the
/// most specific wins: <c>commit</c> &gt; <c>name</c> &gt; <c>semver</c> &gt; <c>tag</c> &gt; <c>branch</c>. With no
/// field set the ref is the <c>master</c> branch, as Flux defaults.
/// </summary>
public sealed record GitRef(string? Branch = null, string? Tag = null, string? Semver = null, string? Name = null, string? Commit = null)
{
    /// <summary>The branch Flux uses when <c>spec.ref</c> is absent or empty.</summary>
    public const string DefaultBranch = "master";

    /// <summary>The ref Flux uses when <c>spec.ref</c> is absent: branch <c>master</c>.</summary>
    public static GitRef Default { get; } = new();

    /// <summary>Which field decides the revision, after Flux's precedence.</summary>
    public GitRefKind Kind =>
        !string.IsNullOrEmpty(Commit) ? GitRefKind.Commit
        : !string.IsNullOrEmpty(Name) ? GitRefKind.Name
        : !string.IsNullOrEmpty(Semver) ? GitRefKind.Semver
        : !string.IsNullOrEmpty(Tag) ? GitRefKind.Tag
        : GitRefKind.Branch;

    /// <summary>The branch to follow: <see cref="Branch"/>, or <c>master</c> when it is empty.</summary>
    public string EffectiveBranch => string.IsNullOrEmpty(Branch) ? DefaultBranch : Branch;

    /// <summary>
    /// Checks the field that decides the revision (and a branch given with a commit); throws
    /// <see cref="GitSourceException"/> naming the field and the fix.
    /// </summary>
    public void Validate()
    {
        switch (Kind)
        {
            case GitRefKind.Commit:
                if (Commit!.Length != 40 || !Commit.All(char.IsAsciiHexDigit))
                {
                    throw Invalid("commit", Commit, "give the full 40-hex-digit SHA-1 of the commit");
                }

                if (!string.IsNullOrEmpty(Branch))
                {
                    CheckRefPart("branch", Branch);
                }

                break;
            case GitRefKind.Name:
                if (Name!.StartsWith('/') || Name.EndsWith('/'))
                {
                    throw Invalid("name", Name, "a Git reference cannot begin or end with '/'; write e.g. 'refs/heads/main'");
                }

                CheckRefPart("name", Name.EndsWith("^{}", StringComparison.Ordinal) ? Name[..^3] : Name);
                break;
            case GitRefKind.Semver:
                if (!Versions.SemVerRange.TryParse(Semver!, out _))
                {
                    throw Invalid("semver", Semver!, "write a range such as '>=1.0.0 <2.0.0', '~1.2' or '^1.2.3'");
                }

                break;
            case GitRefKind.Tag:
                CheckRefPart("tag", Tag!);
                break;
            default:
                CheckRefPart("branch", EffectiveBranch);
                break;
        }
    }

    /// <summary>The commit SHA in lower case (only meaningful for <see cref="GitRefKind.Commit"/>).</summary>
    public string? NormalizedCommit => Commit?.ToLowerInvariant();

    /// <summary>Describes the deciding field as Flux users write it, e.g. <c>branch 'main'</c>.</summary>
    public string Describe() => Kind switch
    {
        GitRefKind.Commit => $"commit '{Commit}'",
        GitRefKind.Name => $"ref name '{Name}'",
        GitRefKind.Semver => $"semver '{Semver}'",
        GitRefKind.Tag => $"tag '{Tag}'",
        _ => $"branch '{EffectiveBranch}'",
    };

    // The rules of git-check-ref-format that matter here: these names end up in a refspec and an argument list.
    private static void CheckRefPart(string field, string value)
    {
        if (value.Length == 0 || value.StartsWith('-') || value.StartsWith('.') || value.EndsWith('.') || value.EndsWith(".lock", StringComparison.Ordinal)
            || value.Contains("..", StringComparison.Ordinal) || value.Contains("@{", StringComparison.Ordinal) || value.Contains("//", StringComparison.Ordinal)
            || value.Any(c => char.IsControl(c) || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\'))
        {
            throw Invalid(field, value, "use a valid Git reference name (no spaces, '..', ':', '~', '^', '?', '*', '[', '\\' or leading '-')");
        }
    }

    private static GitSourceException Invalid(string field, string value, string fix) =>
        new(GitSourceFailure.InvalidSpec, $"spec.ref.{field} '{value}' is invalid: {fix}.");
}

/// <summary>The field of <see cref="GitRef"/> that decides the revision.</summary>
public enum GitRefKind
{
    /// <summary>A branch head (<c>spec.ref.branch</c>, default <c>master</c>).</summary>
    Branch,

    /// <summary>A tag (<c>spec.ref.tag</c>).</summary>
    Tag,

    /// <summary>The highest tag in a SemVer range (<c>spec.ref.semver</c>).</summary>
    Semver,

    /// <summary>A full reference name such as <c>refs/pull/1/head</c> (<c>spec.ref.name</c>).</summary>
    Name,

    /// <summary>A fixed commit (<c>spec.ref.commit</c>).</summary>
    Commit,
}
