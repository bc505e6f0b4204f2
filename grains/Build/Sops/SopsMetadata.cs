using System.Globalization;
using System.Text.Json.Nodes;

namespace Granary.Grains.Build.Sops;

/// <summary>One age recipient of a sops file and the data key encrypted to it (an armored age file).</summary>
internal sealed record SopsAgeRecipient(string Recipient, string EncryptedDataKey)
{
    /// <summary>Shows the recipient only.</summary>
    public override string ToString() => Recipient;
}

/// <summary>
/// The <c>sops</c> block of an encrypted document, read the way sops' stores read it: the age recipients
/// (other key kinds are listed but cannot be used here), the encrypted MAC with its last-modified time,
/// and the rule choosing which values are encrypted.
/// </summary>
internal sealed record SopsMetadata(
    IReadOnlyList<SopsAgeRecipient> AgeRecipients,
    IReadOnlyList<string> OtherKeyKinds,
    string LastModified,
    string Mac,
    SopsEncryptionRules Rules,
    bool MacOnlyEncrypted)
{
    private static readonly string[] OtherKeyFields = ["pgp", "kms", "gcp_kms", "azure_kv", "hc_vault"];

    /// <summary>Reads the <c>sops</c> block; problems are reported as <see cref="SopsMetadataException"/> naming the field.</summary>
    public static SopsMetadata Read(JsonObject sops)
    {
        var groups = sops["key_groups"] as JsonArray;
        if (groups is { Count: > 1 })
        {
            throw new SopsMetadataException("sops.key_groups", "has several key groups (Shamir secret sharing), which Granary does not support; re-encrypt with a single group of age recipients");
        }

        // A single key group is the same as keys at the top level.
        var keys = groups is { Count: 1 } ? groups[0] as JsonObject ?? throw new SopsMetadataException("sops.key_groups[0]", "is not a mapping") : sops;
        var age = new List<SopsAgeRecipient>();
        if (keys["age"] is JsonArray entries)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i] as JsonObject ?? throw new SopsMetadataException($"sops.age[{i}]", "is not a mapping");
                age.Add(new SopsAgeRecipient(
                    RequiredString(entry, "recipient", $"sops.age[{i}].recipient"),
                    RequiredString(entry, "enc", $"sops.age[{i}].enc")));
            }
        }
        else if (keys["age"] is not null)
        {
            throw new SopsMetadataException("sops.age", "is not a list");
        }

        var others = OtherKeyFields.Where(field => keys[field] is JsonArray { Count: > 0 }).ToList();
        var lastModified = RequiredString(sops, "lastmodified", "sops.lastmodified");
        return new SopsMetadata(
            age,
            others,
            NormalizeLastModified(lastModified),
            RequiredString(sops, "mac", "sops.mac"),
            SopsEncryptionRules.Read(sops),
            sops["mac_only_encrypted"] is JsonValue macOnly && macOnly.TryGetValue<bool>(out var flag) && flag);
    }

    /// <summary>
    /// sops authenticates the MAC with the time re-formatted by Go's RFC 3339 layout (whole seconds, "Z"
    /// for UTC), not with the text as written; do the same so hand-edited times still verify.
    /// </summary>
    private static string NormalizeLastModified(string text)
    {
        if (!DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            throw new SopsMetadataException("sops.lastmodified", "is not an RFC 3339 time");
        }

        var offset = time.Offset == TimeSpan.Zero ? "Z" : time.ToString("zzz", CultureInfo.InvariantCulture);
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + offset;
    }

    private static string RequiredString(JsonObject parent, string field, string path) =>
        parent[field] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0
            ? text
            : throw new SopsMetadataException(path, "is missing or not a string");
}

/// <summary>A malformed <c>sops</c> block; names the field.</summary>
internal sealed class SopsMetadataException(string field, string problem) : Exception($"{field} {problem}")
{
    /// <summary>The path of the offending metadata field.</summary>
    public string Field { get; } = field;
}
