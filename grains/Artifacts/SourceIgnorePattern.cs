namespace Granary.Grains.Artifacts;

/// <summary>
/// One <c>.sourceignore</c> / gitignore line, matched as Flux matches it (go-git semantics): <c>!</c> re-includes,
/// a trailing <c>/</c> matches directories only, a pattern without <c>/</c> matches any path component (so also
/// everything below a matching directory), a pattern with <c>/</c> is anchored to its file's directory and matches
/// that path and everything below it, <c>**</c> spans any number of directories, and <c>* ? [a-z] [^a-z]</c> glob
/// within one component.
/// </summary>
public sealed class SourceIgnorePattern
{
    private readonly string[] _domain;
    private readonly string[] _segments;
    private readonly bool _inclusion;
    private readonly bool _directoryOnly;
    private readonly bool _anchored;

    private SourceIgnorePattern(string text, string[] domain, string[] segments, bool inclusion, bool directoryOnly, bool anchored)
    {
        Text = text;
        _domain = domain;
        _segments = segments;
        _inclusion = inclusion;
        _directoryOnly = directoryOnly;
        _anchored = anchored;
    }

    /// <summary>The line the pattern was parsed from.</summary>
    public string Text { get; }

    /// <summary>
    /// Parses one line; <paramref name="domain"/> is the path of the directory whose <c>.sourceignore</c> held it
    /// (empty for the root and for <c>spec.ignore</c>), and the pattern applies only below it.
    /// </summary>
    public static SourceIgnorePattern Parse(string line, IReadOnlyList<string>? domain = null)
    {
        var text = line;
        var inclusion = line.StartsWith('!');
        if (inclusion)
        {
            line = line[1..];
        }

        if (!line.EndsWith("\\ ", StringComparison.Ordinal))
        {
            line = line.TrimEnd(' ');
        }

        var directoryOnly = line.EndsWith('/');
        if (directoryOnly)
        {
            line = line[..^1];
        }

        return new SourceIgnorePattern(text, domain?.ToArray() ?? [], line.Split('/'), inclusion, directoryOnly, line.Contains('/'));
    }

    /// <summary>Matches <paramref name="path"/> (components relative to the tree root).</summary>
    public SourceIgnoreMatch Match(IReadOnlyList<string> path, bool isDirectory)
    {
        if (path.Count <= _domain.Length)
        {
            return SourceIgnoreMatch.None;
        }

        for (var i = 0; i < _domain.Length; i++)
        {
            if (path[i] != _domain[i])
            {
                return SourceIgnoreMatch.None;
            }
        }

        var relative = path.Skip(_domain.Length).ToArray();
        var matched = _anchored ? AnchoredMatch(relative, isDirectory) : NameMatch(relative, isDirectory);
        return !matched ? SourceIgnoreMatch.None : _inclusion ? SourceIgnoreMatch.Include : SourceIgnoreMatch.Exclude;
    }

    // No '/': the pattern matches any component; the last one only if the directory rule allows.
    private bool NameMatch(string[] path, bool isDirectory)
    {
        for (var i = 0; i < path.Length; i++)
        {
            if (!Glob.Matches(_segments[0], path[i]))
            {
                continue;
            }

            return !(_directoryOnly && !isDirectory && i == path.Length - 1);
        }

        return false;
    }

    // With '/': segments match from the start; '**' skips ahead to the next segment's first match.
    private bool AnchoredMatch(string[] path, bool isDirectory)
    {
        var matched = false;
        var canTraverse = false;
        var position = 0;
        for (var i = 0; i < _segments.Length; i++)
        {
            var segment = _segments[i];
            if (segment.Length == 0)
            {
                canTraverse = false;
                continue;
            }

            if (segment == "**")
            {
                if (i == _segments.Length - 1)
                {
                    break;
                }

                canTraverse = true;
                continue;
            }

            if (segment.Contains("**", StringComparison.Ordinal) || position >= path.Length)
            {
                return false;
            }

            if (canTraverse)
            {
                canTraverse = false;
                while (position < path.Length)
                {
                    var name = path[position++];
                    if (Glob.Matches(segment, name))
                    {
                        matched = true;
                        break;
                    }

                    if (position == path.Length)
                    {
                        matched = false;
                    }
                }
            }
            else
            {
                if (!Glob.Matches(segment, path[position]))
                {
                    return false;
                }

                matched = true;
                position++;
            }
        }

        return !(matched && _directoryOnly && !isDirectory && position == path.Length) && matched;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Go's <c>filepath.Match</c> for one path component; a malformed pattern matches nothing.</summary>
    private static class Glob
    {
        public static bool Matches(string pattern, string name)
        {
            try
            {
                return Match(pattern, 0, name, 0);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        private static bool Match(string pattern, int p, string name, int n)
        {
            while (p < pattern.Length)
            {
                switch (pattern[p])
                {
                    case '*':
                        while (p < pattern.Length && pattern[p] == '*')
                        {
                            p++;
                        }

                        if (p == pattern.Length)
                        {
                            return true;
                        }

                        for (var k = n; k <= name.Length; k++)
                        {
                            if (Match(pattern, p, name, k))
                            {
                                return true;
                            }
                        }

                        return false;
                    case '?':
                        if (n >= name.Length)
                        {
                            return false;
                        }

                        p++;
                        n++;
                        break;
                    case '[':
                        if (n >= name.Length || !MatchClass(pattern, ref p, name[n]))
                        {
                            return false;
                        }

                        n++;
                        break;
                    case '\\':
                        if (p + 1 >= pattern.Length)
                        {
                            throw new FormatException("Trailing escape.");
                        }

                        if (n >= name.Length || name[n] != pattern[p + 1])
                        {
                            return false;
                        }

                        p += 2;
                        n++;
                        break;
                    default:
                        if (n >= name.Length || name[n] != pattern[p])
                        {
                            return false;
                        }

                        p++;
                        n++;
                        break;
                }
            }

            return n == name.Length;
        }

        // Consumes "[...]" starting at p; true when c is in the class.
        private static bool MatchClass(string pattern, ref int p, char c)
        {
            p++;
            var negated = p < pattern.Length && pattern[p] == '^';
            if (negated)
            {
                p++;
            }

            var found = false;
            var first = true;
            while (true)
            {
                if (p >= pattern.Length)
                {
                    throw new FormatException("Unclosed character class.");
                }

                if (pattern[p] == ']' && !first)
                {
                    p++;
                    break;
                }

                first = false;
                var low = ReadClassChar(pattern, ref p);
                var high = low;
                if (p < pattern.Length && pattern[p] == '-' && p + 1 < pattern.Length && pattern[p + 1] != ']')
                {
                    p++;
                    high = ReadClassChar(pattern, ref p);
                }

                if (low <= c && c <= high)
                {
                    found = true;
                }
            }

            return found != negated;
        }

        private static char ReadClassChar(string pattern, ref int p)
        {
            if (pattern[p] == '\\')
            {
                p++;
                if (p >= pattern.Length)
                {
                    throw new FormatException("Trailing escape.");
                }
            }

            return pattern[p++];
        }
    }
}

/// <summary>The outcome of matching one pattern.</summary>
public enum SourceIgnoreMatch
{
    /// <summary>The pattern says nothing about the path.</summary>
    None,

    /// <summary>The path is ignored.</summary>
    Exclude,

    /// <summary>The path is re-included by a <c>!</c> pattern.</summary>
    Include,
}
