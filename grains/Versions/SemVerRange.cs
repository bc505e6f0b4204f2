namespace Granary.Grains.Versions;

/// <summary>
/// A SemVer range as Flux and Helm write them (Masterminds/semver syntax): comparators <c>= != &gt; &gt;= &lt; &lt;=</c>,
/// tilde <c>~1.2</c> (also <c>~&gt;</c>), caret <c>^1.2.3</c>, x-ranges <c>1.2.x</c> / <c>1.*</c> / <c>*</c>, partial
/// versions (<c>1.2</c> means <c>1.2.x</c>), hyphen ranges <c>1.2 - 1.4.5</c>, AND by space or comma, OR by <c>||</c>.
/// A pre-release version only matches an OR-branch that itself mentions a pre-release.
/// </summary>
public sealed class SemVerRange
{
    private readonly IReadOnlyList<Group> _groups;

    private SemVerRange(string text, IReadOnlyList<Group> groups)
    {
        Text = text;
        _groups = groups;
    }

    /// <summary>The range as written.</summary>
    public string Text { get; }

    /// <summary>Parses a range; throws <see cref="FormatException"/> naming the part that is wrong.</summary>
    public static SemVerRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Invalid(text, "it is empty");
        }

        var groups = new List<Group>();
        foreach (var alternative in text.Split("||"))
        {
            groups.Add(ParseGroup(text, alternative));
        }

        return new SemVerRange(text, groups);
    }

    /// <summary>Parses a range; false (and a null range) when it is not one.</summary>
    public static bool TryParse(string text, out SemVerRange? range)
    {
        try
        {
            range = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            range = null;
            return false;
        }
    }

    /// <summary>True when <paramref name="version"/> lies in the range.</summary>
    public bool IsSatisfiedBy(SemVer version) => _groups.Any(group => group.Matches(version));

    /// <summary>The highest of <paramref name="versions"/> in the range, or null when none is.</summary>
    public SemVer? Highest(IEnumerable<SemVer> versions) =>
        versions.Where(IsSatisfiedBy).Aggregate((SemVer?)null, (best, next) => best is null || next > best ? next : best);

    /// <inheritdoc />
    public override string ToString() => Text;

    private static Group ParseGroup(string range, string alternative)
    {
        var tokens = Tokenize(range, alternative);
        if (tokens.Count == 0)
        {
            throw Invalid(range, "an alternative between '||' is empty");
        }

        var comparators = new List<SemVerComparator>();
        var mentionsPrerelease = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i + 2 < tokens.Count && tokens[i + 1] == "-")
            {
                var low = PartialVersion.Parse(range, tokens[i]);
                var high = PartialVersion.Parse(range, tokens[i + 2]);
                mentionsPrerelease |= low.HasPrerelease || high.HasPrerelease;
                comparators.AddRange(Expand(range, ">=", low));
                comparators.AddRange(Expand(range, "<=", high));
                i += 2;
                continue;
            }

            if (tokens[i] == "-")
            {
                throw Invalid(range, "a hyphen range needs a version on both sides of ' - '");
            }

            var (op, versionText) = SplitOperator(tokens[i]);
            var version = PartialVersion.Parse(range, versionText);
            mentionsPrerelease |= version.HasPrerelease;
            comparators.AddRange(Expand(range, op, version));
        }

        return new Group(comparators, mentionsPrerelease);
    }

    // Splits on commas and blanks, and glues a lone operator to the version after it (">= 1.2").
    private static List<string> Tokenize(string range, string alternative)
    {
        var raw = alternative.Replace(',', ' ').Split(' ', '\t').Where(t => t.Length > 0).ToList();
        var tokens = new List<string>();
        for (var i = 0; i < raw.Count; i++)
        {
            var token = raw[i];
            if (IsOperatorOnly(token))
            {
                if (i + 1 >= raw.Count)
                {
                    throw Invalid(range, $"operator '{token}' has no version after it");
                }

                token += raw[++i];
            }

            tokens.Add(token);
        }

        return tokens;
    }

    private static bool IsOperatorOnly(string token) => token is "=" or "!=" or ">" or ">=" or "<" or "<=" or "~" or "~>" or "^";

    private static (string Operator, string Version) SplitOperator(string token)
    {
        foreach (var op in new[] { "!=", ">=", "<=", "~>", "=", ">", "<", "~", "^" })
        {
            if (token.StartsWith(op, StringComparison.Ordinal))
            {
                return (op == "~>" ? "~" : op, token[op.Length..]);
            }
        }

        return ("=", token);
    }

    private static IEnumerable<SemVerComparator> Expand(string range, string op, PartialVersion v)
    {
        switch (op)
        {
            case "=":
                if (v.IsComplete)
                {
                    return [new(SemVerOperator.Equal, v.Floor())];
                }

                return v.IsAny ? [] : [new(SemVerOperator.GreaterOrEqual, v.Floor()), new(SemVerOperator.Less, v.Ceiling())];
            case "!=":
                if (v.IsComplete)
                {
                    return [new(SemVerOperator.NotEqual, v.Floor())];
                }

                return v.IsAny ? [Nothing] : [new(SemVerOperator.Outside, v.Floor(), v.Ceiling())];
            case ">":
                if (v.IsComplete)
                {
                    return [new(SemVerOperator.Greater, v.Floor())];
                }

                return v.IsAny ? [Nothing] : [new(SemVerOperator.GreaterOrEqual, v.Ceiling())];
            case ">=":
                return v.IsAny ? [] : [new(SemVerOperator.GreaterOrEqual, v.Floor())];
            case "<":
                return v.IsAny ? [Nothing] : [new(SemVerOperator.Less, v.Floor())];
            case "<=":
                if (v.IsComplete)
                {
                    return [new(SemVerOperator.LessOrEqual, v.Floor())];
                }

                return v.IsAny ? [] : [new(SemVerOperator.Less, v.Ceiling())];
            case "~":
                return v.IsAny ? [] : [new(SemVerOperator.GreaterOrEqual, v.Floor()), new(SemVerOperator.Less, v.TildeCeiling())];
            case "^":
                return v.IsAny ? [] : [new(SemVerOperator.GreaterOrEqual, v.Floor()), new(SemVerOperator.Less, v.CaretCeiling())];
            default:
                throw Invalid(range, $"unknown operator '{op}'");
        }
    }

    // "< 0.0.0-0": no version is below the lowest possible one.
    private static readonly SemVerComparator Nothing = new(SemVerOperator.Less, SemVer.Create(0, 0, 0, "0"));

    private static FormatException Invalid(string range, string problem) =>
        new($"'{range}' is not a semver range: {problem}. Use comparators like '>=1.2.0 <2.0.0', '~1.2', '^1.2.3', '1.2.x' or '1.0 - 2.0', joined by '||'.");

    private sealed record Group(IReadOnlyList<SemVerComparator> Comparators, bool AllowsPrerelease)
    {
        public bool Matches(SemVer version) =>
            (!version.IsPrerelease || AllowsPrerelease) && Comparators.All(c => c.Matches(version));
    }

    /// <summary>A version in a range where trailing components may be missing or wildcards (<c>1</c>, <c>1.2.x</c>, <c>*</c>).</summary>
    private sealed record PartialVersion(ulong? Major, ulong? Minor, ulong? Patch, string[] Prerelease)
    {
        public bool IsAny => Major is null;

        public bool IsComplete => Patch is not null;

        public bool HasPrerelease => Prerelease.Length > 0;

        public static PartialVersion Parse(string range, string text)
        {
            var body = text.StartsWith('v') || text.StartsWith('V') ? text[1..] : text;
            var plus = body.IndexOf('+');
            if (plus >= 0)
            {
                body = body[..plus];
            }

            string[] prerelease = [];
            var dash = body.IndexOf('-');
            if (dash >= 0)
            {
                var complete = SemVer.TryParse(body, out var exact);
                if (!complete)
                {
                    throw Invalid(range, $"'{text}' has a pre-release but is not a complete major.minor.patch version");
                }

                prerelease = exact.Prerelease.ToArray();
                body = body[..dash];
            }

            var parts = body.Split('.');
            if (parts.Length > 3 || parts.Any(p => p.Length == 0))
            {
                throw Invalid(range, $"'{text}' is not a version (expected up to three dot-separated numbers or x/*)");
            }

            var numbers = new ulong?[3];
            var wildcardSeen = false;
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i] is "x" or "X" or "*")
                {
                    wildcardSeen = true;
                    continue;
                }

                if (wildcardSeen || !SemVer.TryNumber(parts[i], out var number))
                {
                    throw Invalid(range, $"'{text}' is not a version (component '{parts[i]}')");
                }

                numbers[i] = number;
            }

            return new PartialVersion(numbers[0], numbers[1], numbers[2], prerelease);
        }

        public SemVer Floor() => SemVer.Create(Major ?? 0, Minor ?? 0, Patch ?? 0, Prerelease);

        // The lowest version above every version this partial covers (its pre-releases excluded).
        public SemVer Ceiling() => Minor is null ? Lowest(Major!.Value + 1, 0, 0)
            : Patch is null ? Lowest(Major!.Value, Minor.Value + 1, 0)
            : Lowest(Major!.Value, Minor.Value, Patch.Value + 1);

        public SemVer TildeCeiling() => Minor is null ? Lowest(Major!.Value + 1, 0, 0) : Lowest(Major!.Value, Minor.Value + 1, 0);

        // The left-most non-zero component is fixed; missing components widen the range.
        public SemVer CaretCeiling()
        {
            var major = Major!.Value;
            if (major > 0 || Minor is null)
            {
                return Lowest(major + 1, 0, 0);
            }

            if (Minor > 0 || Patch is null)
            {
                return Lowest(0, Minor.Value + 1, 0);
            }

            return Lowest(0, 0, Patch.Value + 1);
        }

        private static SemVer Lowest(ulong major, ulong minor, ulong patch) => SemVer.Create(major, minor, patch, "0");
    }
}
