namespace Granary.Grains.Sources.Git;

/// <summary>
/// A resolved ref: the Flux revision string (<c>main@sha1:&lt;hex&gt;</c>, <c>v1.2.3@sha1:&lt;hex&gt;</c>,
/// <c>refs/pull/1/head@sha1:&lt;hex&gt;</c> or <c>sha1:&lt;hex&gt;</c>), the commit, and what to fetch.
/// </summary>
/// <param name="Revision">The artifact revision exactly as Flux v1 writes it.</param>
/// <param name="Commit">The 40-hex-digit commit SHA-1.</param>
/// <param name="RefName">The full ref to fetch when the server refuses a fetch by SHA (null for a bare commit).</param>
/// <param name="DeepFetch">True when <see cref="RefName"/> must be fetched with history because the commit may not be its tip.</param>
public sealed record GitRevision(string Revision, string Commit, string? RefName, bool DeepFetch = false)
{
    /// <summary>Formats a revision: <c>&lt;name&gt;@sha1:&lt;commit&gt;</c>, or <c>sha1:&lt;commit&gt;</c> when there is no name.</summary>
    public static string Format(string? name, string commit) =>
        string.IsNullOrEmpty(name) ? $"sha1:{commit}" : $"{name}@sha1:{commit}";

    /// <summary>The commit SHA in a revision string (the part after <c>sha1:</c>), or null when there is none.</summary>
    public static string? CommitOf(string? revision)
    {
        var at = revision?.LastIndexOf("sha1:", StringComparison.Ordinal) ?? -1;
        return at < 0 ? null : revision![(at + 5)..];
    }
}
