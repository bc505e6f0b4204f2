using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Granary.Grains.Build.Sops;

/// <summary>
/// An age X25519 private key (<c>AGE-SECRET-KEY-1…</c>). Only its public recipient is ever shown; the key
/// bytes are zeroed on <see cref="Dispose"/>.
/// </summary>
public sealed class AgeIdentity : IDisposable
{
    private const string SecretKeyHrp = "age-secret-key-";
    private const string RecipientHrp = "age";
    private readonly byte[] secretKey;
    private readonly byte[] publicKey;

    private AgeIdentity(byte[] secretKey)
    {
        this.secretKey = secretKey;
        publicKey = new byte[X25519.PointSize];
        X25519.ScalarMultBase(secretKey, 0, publicKey, 0);
        Recipient = Bech32.Encode(RecipientHrp, publicKey);
    }

    /// <summary>The public recipient (<c>age1…</c>) this identity decrypts for.</summary>
    public string Recipient { get; }

    /// <summary>Parses one <c>AGE-SECRET-KEY-1…</c> string; the error never repeats the input.</summary>
    public static AgeIdentity Parse(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("AGE-SECRET-KEY-1", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException(trimmed.StartsWith("AGE-PLUGIN-", StringComparison.OrdinalIgnoreCase)
                ? "is an age plugin identity, which Granary cannot use; use an X25519 key from age-keygen"
                : "is not an age X25519 identity (expected AGE-SECRET-KEY-1…, as written by age-keygen)");
        }

        var (hrp, data) = Bech32.Decode(trimmed);
        if (hrp != SecretKeyHrp || data.Length != X25519.ScalarSize)
        {
            Array.Clear(data);
            throw new FormatException("is not a 32-byte age X25519 identity");
        }

        return new AgeIdentity(data);
    }

    /// <summary>
    /// Parses the text of an identity file (an <c>.agekey</c> entry): one identity per line, blank lines and
    /// <c>#</c> comments allowed. Errors name the source and line, never the line's content.
    /// </summary>
    public static IReadOnlyList<AgeIdentity> ParseFile(string source, string text)
    {
        var identities = new List<AgeIdentity>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            try
            {
                identities.Add(Parse(line));
            }
            catch (FormatException exception)
            {
                identities.ForEach(identity => identity.Dispose());
                throw new AgeIdentityFormatException(source, i + 1, exception.Message);
            }
        }

        if (identities.Count == 0)
        {
            throw new AgeIdentityFormatException(source, 0, "holds no identity (expected AGE-SECRET-KEY-1… lines)");
        }

        return identities;
    }

    /// <summary>
    /// The identities of a Flux decryption Secret (<c>spec.decryption.secretRef</c>): every data entry whose
    /// name ends in <c>.agekey</c>, in name order; other entries (pgp, vault tokens) are left alone.
    /// </summary>
    public static IReadOnlyList<AgeIdentity> FromSecretData(string secretName, IReadOnlyDictionary<string, byte[]> data)
    {
        var identities = new List<AgeIdentity>();
        try
        {
            foreach (var (entry, bytes) in data.Where(pair => pair.Key.EndsWith(".agekey", StringComparison.Ordinal)).OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                identities.AddRange(ParseFile($"Secret {secretName} entry {entry}", System.Text.Encoding.UTF8.GetString(bytes)));
            }
        }
        catch
        {
            identities.ForEach(identity => identity.Dispose());
            throw;
        }

        return identities;
    }

    /// <summary>
    /// Unwraps an age file key from an X25519 stanza's ephemeral share and body, or returns null when the
    /// stanza is addressed to another identity.
    /// </summary>
    internal byte[]? Unwrap(ReadOnlySpan<byte> ephemeralShare, ReadOnlySpan<byte> body)
    {
        var share = ephemeralShare.ToArray();
        var shared = new byte[X25519.PointSize];
        var salt = new byte[share.Length + publicKey.Length];
        byte[]? wrapKey = null;
        try
        {
            // An all-zero shared secret means a low-order share; the age spec says to abort.
            if (!X25519.CalculateAgreement(secretKey, 0, share, 0, shared, 0))
            {
                throw new AgeFormatException("an X25519 stanza has a low-order ephemeral share");
            }

            share.CopyTo(salt, 0);
            publicKey.CopyTo(salt, share.Length);
            wrapKey = AgeCipher.DeriveKey(shared, salt, "age-encryption.org/v1/X25519"u8);
            return AgeCipher.TryOpen(wrapKey, new byte[AgeCipher.NonceSize], body);
        }
        finally
        {
            Array.Clear(shared);
            if (wrapKey is not null)
            {
                Array.Clear(wrapKey);
            }
        }
    }

    /// <summary>Shows the public recipient only.</summary>
    public override string ToString() => Recipient;

    /// <summary>Zeroes the private key.</summary>
    public void Dispose() => Array.Clear(secretKey);
}

/// <summary>An age identity file that cannot be read; names the source and line, never the key.</summary>
public sealed class AgeIdentityFormatException(string source, int line, string reason)
    : FormatException(line > 0 ? $"age identities in {source}, line {line}: the line {reason}" : $"age identities in {source} {reason}")
{
    /// <summary>Where the identities came from (for example the Secret and its <c>.agekey</c> entry).</summary>
    public string IdentitySource { get; } = source;
}
