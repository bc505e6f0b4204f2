using Granary.Grains.Artifacts;

namespace Granary.Grains.Sources.Git;

/// <summary>What <see cref="GitSource.FetchAsync"/> needs from a GitRepository spec, with its secret already read.</summary>
/// <param name="Url"><c>spec.url</c>: https, http, ssh or file.</param>
/// <param name="Ref"><c>spec.ref</c>; null means Flux's default, branch <c>master</c>.</param>
/// <param name="Timeout"><c>spec.timeout</c> for all git commands of one fetch; null means Flux's default of 60 s.</param>
/// <param name="Credentials">The data of <c>spec.secretRef</c>, when there is one.</param>
/// <param name="Ignore"><c>spec.ignore</c> (gitignore syntax), when set.</param>
/// <param name="Includes"><c>spec.include</c> with the included artifacts' bytes, when any.</param>
public sealed record GitSourceRequest(
    string Url,
    GitRef? Ref = null,
    TimeSpan? Timeout = null,
    GitCredentials? Credentials = null,
    string? Ignore = null,
    IReadOnlyList<ArtifactInclude>? Includes = null)
{
    /// <summary>Flux's default <c>spec.timeout</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
}
