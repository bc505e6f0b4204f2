using System.Security.Cryptography;
using System.Text;

namespace Granary.Silo.Webhooks;

/// <summary>
/// A receiver's shared secret. Its value never leaves this type: it only signs and compares, in constant time, and
/// prints as a placeholder, so it cannot leak through a log, a dump of the configuration or an error message.
/// </summary>
public sealed class ReceiverSecret
{
    private readonly byte[] _value;
    private readonly byte[] _digest;

    /// <summary>The secret <paramref name="value"/>.</summary>
    public ReceiverSecret(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = Encoding.UTF8.GetBytes(value);
        _digest = SHA256.HashData(_value);
    }

    /// <summary>Whether <paramref name="presented"/> is the secret (digests compared in constant time, so neither content nor length leaks).</summary>
    public bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    /// <summary>Whether <paramref name="signature"/> (<c>sha256=&lt;hex&gt;</c>) is the HMAC-SHA256 of <paramref name="body"/> keyed with the secret.</summary>
    public bool Signed(ReadOnlySpan<byte> body, string signature)
    {
        const string Prefix = "sha256=";
        if (!signature.StartsWith(Prefix, StringComparison.Ordinal) || signature.Length != Prefix.Length + (2 * HMACSHA256.HashSizeInBytes))
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(signature.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_value, body), presented);
    }

    /// <summary>A placeholder, never the value.</summary>
    public override string ToString() => "(secret)";
}
