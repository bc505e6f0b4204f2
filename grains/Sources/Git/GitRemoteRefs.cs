namespace Granary.Grains.Sources.Git;

/// <summary>The references a remote advertises (<c>git ls-remote</c>): full ref name → object SHA-1, with peeled tags.</summary>
public sealed class GitRemoteRefs
{
    private const string PeeledSuffix = "^{}";

    private readonly IReadOnlyDictionary<string, string> _refs;

    /// <summary>Creates the set from ref name → SHA pairs; peeled annotated tags carry the <c>^{}</c> suffix.</summary>
    public GitRemoteRefs(IReadOnlyDictionary<string, string> refs) => _refs = refs;

    /// <summary>Every advertised name (including <c>^{}</c> peeled entries) and its SHA.</summary>
    public IReadOnlyDictionary<string, string> All => _refs;

    /// <summary>Parses <c>git ls-remote</c> output (<c>&lt;sha&gt;\t&lt;ref&gt;</c> per line).</summary>
    public static GitRemoteRefs Parse(string lsRemoteOutput)
    {
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lsRemoteOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var tab = line.IndexOf('\t');
            if (tab < 0)
            {
                continue;
            }

            var sha = line[..tab].ToLowerInvariant();
            var name = line[(tab + 1)..];
            if (sha.Length != 40 || !sha.All(char.IsAsciiHexDigit))
            {
                // SHA-256 repositories and symref lines are not something Flux's sha1 revisions can name.
                continue;
            }

            refs[name] = sha;
        }

        return new GitRemoteRefs(refs);
    }

    /// <summary>The commit a ref points at: for an annotated tag the peeled commit, otherwise the ref's own SHA; null when absent.</summary>
    public string? CommitOf(string fullName)
    {
        if (fullName.EndsWith(PeeledSuffix, StringComparison.Ordinal))
        {
            return _refs.GetValueOrDefault(fullName) ?? _refs.GetValueOrDefault(fullName[..^PeeledSuffix.Length]);
        }

        return _refs.GetValueOrDefault(fullName + PeeledSuffix) ?? _refs.GetValueOrDefault(fullName);
    }

    /// <summary>The short names of all tags (<c>refs/tags/</c> without the prefix and without peeled entries).</summary>
    public IEnumerable<string> TagNames() =>
        _refs.Keys
            .Where(name => name.StartsWith("refs/tags/", StringComparison.Ordinal) && !name.EndsWith(PeeledSuffix, StringComparison.Ordinal))
            .Select(name => name["refs/tags/".Length..]);
}
