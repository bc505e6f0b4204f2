using System.Globalization;

namespace Granary.Grains.Versions;

/// <summary>
/// A Semantic Versioning 2.0.0 version (<c>major.minor.patch[-prerelease][+build]</c>), ordered by
/// SemVer precedence; build metadata is kept but never affects ordering or equality.
/// </summary>
public sealed class SemVer : IComparable<SemVer>, IEquatable<SemVer>
{
    private SemVer(ulong major, ulong minor, ulong patch, IReadOnlyList<string> prerelease, string build, string original)
    {
        Major = major;
        Minor = minor;
        Patch = patch;
        Prerelease = prerelease;
        Build = build;
        Original = original;
    }

    /// <summary>The major version.</summary>
    public ulong Major { get; }

    /// <summary>The minor version.</summary>
    public ulong Minor { get; }

    /// <summary>The patch version.</summary>
    public ulong Patch { get; }

    /// <summary>The dot-separated pre-release identifiers; empty for a release.</summary>
    public IReadOnlyList<string> Prerelease { get; }

    /// <summary>The build metadata after <c>+</c>, or an empty string.</summary>
    public string Build { get; }

    /// <summary>The text this version was parsed from (for a tag, the tag name).</summary>
    public string Original { get; }

    /// <summary>True when the version has pre-release identifiers.</summary>
    public bool IsPrerelease => Prerelease.Count > 0;

    /// <summary>Creates a release version, or a pre-release when <paramref name="prerelease"/> is given.</summary>
    public static SemVer Create(ulong major, ulong minor, ulong patch, params string[] prerelease)
    {
        var text = $"{major}.{minor}.{patch}" + (prerelease.Length > 0 ? "-" + string.Join('.', prerelease) : "");
        return new SemVer(major, minor, patch, prerelease, "", text);
    }

    /// <summary>Parses a strict SemVer 2.0.0 version, with an optional leading <c>v</c>; throws <see cref="FormatException"/> naming the problem.</summary>
    public static SemVer Parse(string text) =>
        TryParse(text, out var version, out var error) ? version : throw new FormatException($"'{text}' is not a semantic version: {error}.");

    /// <summary>Parses a strict SemVer 2.0.0 version with an optional leading <c>v</c>; false when it is not one.</summary>
    public static bool TryParse(string? text, out SemVer version) => TryParse(text, out version, out _);

    private static bool TryParse(string? text, out SemVer version, out string error)
    {
        version = null!;
        if (string.IsNullOrEmpty(text))
        {
            error = "it is empty";
            return false;
        }

        var rest = text.StartsWith('v') || text.StartsWith('V') ? text[1..] : text;
        var build = "";
        var plus = rest.IndexOf('+');
        if (plus >= 0)
        {
            build = rest[(plus + 1)..];
            rest = rest[..plus];
            if (!ValidIdentifiers(build, numericMayHaveLeadingZero: true))
            {
                error = "build metadata must be dot-separated [0-9A-Za-z-] identifiers";
                return false;
            }
        }

        IReadOnlyList<string> prerelease = [];
        var dash = rest.IndexOf('-');
        if (dash >= 0)
        {
            var pre = rest[(dash + 1)..];
            rest = rest[..dash];
            if (!ValidIdentifiers(pre, numericMayHaveLeadingZero: false))
            {
                error = "pre-release must be dot-separated [0-9A-Za-z-] identifiers without leading zeros in numbers";
                return false;
            }

            prerelease = pre.Split('.');
        }

        var parts = rest.Split('.');
        if (parts.Length != 3 || !TryNumber(parts[0], out var major) || !TryNumber(parts[1], out var minor) || !TryNumber(parts[2], out var patch))
        {
            error = "expected major.minor.patch with numbers without leading zeros";
            return false;
        }

        version = new SemVer(major, minor, patch, prerelease, build, text);
        error = "";
        return true;
    }

    /// <summary>Parses a numeric version component: digits without a leading zero.</summary>
    internal static bool TryNumber(string text, out ulong value)
    {
        value = 0;
        return text.Length > 0 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0')
            && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool ValidIdentifiers(string text, bool numericMayHaveLeadingZero)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var identifier in text.Split('.'))
        {
            if (identifier.Length == 0 || !identifier.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }

            if (!numericMayHaveLeadingZero && identifier.Length > 1 && identifier[0] == '0' && identifier.All(char.IsAsciiDigit))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Compares by SemVer precedence (build metadata ignored).</summary>
    public int CompareTo(SemVer? other)
    {
        if (other is null)
        {
            return 1;
        }

        var byCore = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (byCore != 0)
        {
            return byCore;
        }

        // A release ranks above all of its pre-releases.
        if (Prerelease.Count == 0 || other.Prerelease.Count == 0)
        {
            return (Prerelease.Count == 0).CompareTo(other.Prerelease.Count == 0);
        }

        for (var i = 0; i < Math.Min(Prerelease.Count, other.Prerelease.Count); i++)
        {
            var byIdentifier = CompareIdentifiers(Prerelease[i], other.Prerelease[i]);
            if (byIdentifier != 0)
            {
                return byIdentifier;
            }
        }

        return Prerelease.Count.CompareTo(other.Prerelease.Count);
    }

    private static int CompareIdentifiers(string left, string right)
    {
        var leftNumeric = left.All(char.IsAsciiDigit);
        var rightNumeric = right.All(char.IsAsciiDigit);
        return (leftNumeric, rightNumeric) switch
        {
            (true, true) => left.Length != right.Length ? left.Length.CompareTo(right.Length) : string.CompareOrdinal(left, right),
            (true, false) => -1,
            (false, true) => 1,
            _ => Math.Sign(string.CompareOrdinal(left, right)),
        };
    }

    /// <summary>Equal when SemVer precedence is equal (build metadata ignored).</summary>
    public bool Equals(SemVer? other) => other is not null && CompareTo(other) == 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SemVer other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Major, Minor, Patch, string.Join('.', Prerelease));

    /// <summary>The canonical form <c>major.minor.patch[-prerelease][+build]</c> (no <c>v</c>).</summary>
    public override string ToString() =>
        $"{Major}.{Minor}.{Patch}" + (IsPrerelease ? "-" + string.Join('.', Prerelease) : "") + (Build.Length > 0 ? "+" + Build : "");

    /// <summary>Orders by precedence.</summary>
    public static bool operator <(SemVer left, SemVer right) => left.CompareTo(right) < 0;

    /// <summary>Orders by precedence.</summary>
    public static bool operator >(SemVer left, SemVer right) => left.CompareTo(right) > 0;

    /// <summary>Orders by precedence.</summary>
    public static bool operator <=(SemVer left, SemVer right) => left.CompareTo(right) <= 0;

    /// <summary>Orders by precedence.</summary>
    public static bool operator >=(SemVer left, SemVer right) => left.CompareTo(right) >= 0;
}
