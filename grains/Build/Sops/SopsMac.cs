using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Granary.Grains.Build.Sops;

/// <summary>
/// The integrity check sops stores in <c>sops.mac</c>: SHA-512 over the plaintext of every value in
/// document order (only the encrypted ones when <c>mac_only_encrypted</c> is set, then after a fixed
/// prefix), each value in sops' byte form (Go number formatting, booleans as <c>True</c>/<c>False</c>).
/// </summary>
internal sealed class SopsMac : IDisposable
{
    // sha256("sops"): sops starts a mac_only_encrypted MAC with it so both kinds of MAC never collide.
    private static readonly byte[] MacOnlyEncryptedPrefix = Convert.FromHexString("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69");
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
    private readonly bool onlyEncrypted;

    /// <summary>Starts a MAC for a document with the given <c>mac_only_encrypted</c> setting.</summary>
    public SopsMac(bool onlyEncrypted)
    {
        this.onlyEncrypted = onlyEncrypted;
        if (onlyEncrypted)
        {
            hash.AppendData(MacOnlyEncryptedPrefix);
        }
    }

    /// <summary>Adds a string value.</summary>
    public void Add(string value, bool encrypted)
    {
        if (Counts(encrypted))
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            hash.AppendData(bytes);
            Array.Clear(bytes);
        }
    }

    /// <summary>Adds raw bytes (a value of sops type <c>bytes</c>).</summary>
    public void Add(ReadOnlySpan<byte> value, bool encrypted)
    {
        if (Counts(encrypted))
        {
            hash.AppendData(value);
        }
    }

    /// <summary>Adds a boolean the way sops writes it.</summary>
    public void Add(bool value, bool encrypted) => Add(value ? "True" : "False", encrypted);

    /// <summary>Adds an integer the way Go's strconv.Itoa writes it.</summary>
    public void Add(long value, bool encrypted) => Add(value.ToString(CultureInfo.InvariantCulture), encrypted);

    /// <summary>Adds a float the way Go's strconv.FormatFloat(v, 'f', -1, 64) writes it.</summary>
    public void Add(double value, bool encrypted) => Add(FormatGoFloat(value), encrypted);

    /// <summary>Whether the finished hash equals the MAC sops stored (upper-case hex), compared in constant time.</summary>
    public bool Matches(string storedHex)
    {
        var computed = hash.GetHashAndReset();
        byte[] stored;
        try
        {
            stored = Convert.FromHexString(storedHex);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(computed, stored);
    }

    /// <summary>Releases the hash.</summary>
    public void Dispose() => hash.Dispose();

    /// <summary>Shortest round-trip digits without an exponent, as Go's 'f' format with precision -1.</summary>
    internal static string FormatGoFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = shortest.IndexOfAny(['E', 'e']);
        if (exponentAt < 0)
        {
            return shortest;
        }

        var negative = shortest.StartsWith('-');
        var mantissa = shortest[(negative ? 1 : 0)..exponentAt];
        var exponent = int.Parse(shortest[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        var digits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);
        var integerDigits = (point < 0 ? mantissa.Length : point) + exponent;
        string result;
        if (integerDigits <= 0)
        {
            result = "0." + new string('0', -integerDigits) + digits;
        }
        else if (integerDigits >= digits.Length)
        {
            result = digits + new string('0', integerDigits - digits.Length);
        }
        else
        {
            result = digits[..integerDigits] + "." + digits[integerDigits..];
        }

        return negative ? "-" + result : result;
    }

    private bool Counts(bool encrypted) => !onlyEncrypted || encrypted;
}
