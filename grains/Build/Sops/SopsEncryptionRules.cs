using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Granary.Grains.Build.Sops;

/// <summary>
/// Which values of a sops document are encrypted: at most one of <c>unencrypted_suffix</c> (the default,
/// <c>_unencrypted</c>), <c>encrypted_suffix</c>, <c>unencrypted_regex</c> or <c>encrypted_regex</c>, tested
/// against every key on the value's path as sops' <c>shouldBeEncrypted</c> does.
/// </summary>
internal sealed class SopsEncryptionRules
{
    private const string DefaultUnencryptedSuffix = "_unencrypted";
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private readonly string? unencryptedSuffix;
    private readonly string? encryptedSuffix;
    private readonly Regex? unencryptedRegex;
    private readonly Regex? encryptedRegex;

    private SopsEncryptionRules(string? unencryptedSuffix, string? encryptedSuffix, Regex? unencryptedRegex, Regex? encryptedRegex)
    {
        this.unencryptedSuffix = unencryptedSuffix;
        this.encryptedSuffix = encryptedSuffix;
        this.unencryptedRegex = unencryptedRegex;
        this.encryptedRegex = encryptedRegex;
    }

    /// <summary>Reads the rule from the <c>sops</c> block.</summary>
    public static SopsEncryptionRules Read(JsonObject sops)
    {
        var unencryptedSuffix = OptionalString(sops, "unencrypted_suffix");
        var encryptedSuffix = OptionalString(sops, "encrypted_suffix");
        var unencryptedRegex = OptionalString(sops, "unencrypted_regex");
        var encryptedRegex = OptionalString(sops, "encrypted_regex");
        foreach (var field in new[] { "encrypted_comment_regex", "unencrypted_comment_regex" })
        {
            if (OptionalString(sops, field) is not null)
            {
                throw new SopsMetadataException($"sops.{field}", "is set, but comments are gone after the build so the rule cannot be applied; re-encrypt with encrypted_regex");
            }
        }

        var count = new[] { unencryptedSuffix, encryptedSuffix, unencryptedRegex, encryptedRegex }.Count(rule => rule is not null);
        if (count > 1)
        {
            throw new SopsMetadataException("sops", "sets more than one of unencrypted_suffix, encrypted_suffix, unencrypted_regex and encrypted_regex, which sops forbids");
        }

        return new SopsEncryptionRules(
            count == 0 ? DefaultUnencryptedSuffix : unencryptedSuffix,
            encryptedSuffix,
            Compile(unencryptedRegex, "sops.unencrypted_regex"),
            Compile(encryptedRegex, "sops.encrypted_regex"));
    }

    /// <summary>Whether the value at this path of mapping keys is encrypted.</summary>
    public bool IsEncrypted(IReadOnlyList<string> path)
    {
        var encrypted = true;
        if (unencryptedSuffix is not null && path.Any(key => key.EndsWith(unencryptedSuffix, StringComparison.Ordinal)))
        {
            encrypted = false;
        }

        if (encryptedSuffix is not null)
        {
            encrypted = path.Any(key => key.EndsWith(encryptedSuffix, StringComparison.Ordinal));
        }

        if (unencryptedRegex is not null && path.Any(unencryptedRegex.IsMatch))
        {
            encrypted = false;
        }

        if (encryptedRegex is not null)
        {
            encrypted = path.Any(encryptedRegex.IsMatch);
        }

        return encrypted;
    }

    private static Regex? Compile(string? pattern, string field)
    {
        if (pattern is null)
        {
            return null;
        }

        try
        {
            // The pattern comes from the repository: non-backtracking matching (like Go's RE2) keeps it linear.
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException)
        {
            throw new SopsMetadataException(field, "is not a regular expression this runtime can match without backtracking");
        }
    }

    private static string? OptionalString(JsonObject sops, string field) =>
        sops[field] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
