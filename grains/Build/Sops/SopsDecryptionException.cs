namespace Granary.Grains.Build.Sops;

/// <summary>Why a sops-encrypted object could not be decrypted.</summary>
public enum SopsFailureReason
{
    /// <summary>The <c>sops</c> block is missing fields, malformed, or uses a feature Granary does not support.</summary>
    MalformedMetadata,

    /// <summary>None of the age identities can open the data key of any recipient in the file.</summary>
    NoMatchingKey,

    /// <summary>A value that should be encrypted is not a well-formed <c>ENC[AES256_GCM,…]</c> value.</summary>
    MalformedValue,

    /// <summary>A value does not authenticate under its path (it was changed, moved or encrypted with another key).</summary>
    ValueTampered,

    /// <summary>The values do not match the file's MAC (values were added, removed, reordered or changed).</summary>
    MacMismatch,
}

/// <summary>
/// A sops-encrypted object that cannot be decrypted. The message names the object (kind namespace/name), the
/// path and the fix; it never holds a decrypted value, a ciphertext or key material.
/// </summary>
public sealed class SopsDecryptionException(string objectName, SopsFailureReason reason, string? path, string detail)
    : Exception($"{objectName}: {detail}")
{
    /// <summary>The object as "Kind namespace/name".</summary>
    public string ObjectName { get; } = objectName;

    /// <summary>The kind of failure.</summary>
    public SopsFailureReason Reason { get; } = reason;

    /// <summary>The dotted path of the offending value or metadata field, when there is one.</summary>
    public string? Path { get; } = path;
}
