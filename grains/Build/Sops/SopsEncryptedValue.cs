using System.Text;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Granary.Grains.Build.Sops;

/// <summary>
/// One sops value, <c>ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]</c>: AES-256-GCM under the file's data key,
/// authenticated with the value's path (<c>a:b:c:</c>) as additional data.
/// </summary>
internal sealed partial record SopsEncryptedValue(byte[] Data, byte[] Iv, byte[] Tag, string Type)
{
    private const int TagBits = 128;

    /// <summary>Parses the text form, or returns null when it is not one (the caller names the path; the text is never echoed).</summary>
    public static SopsEncryptedValue? TryParse(string text)
    {
        var match = Format().Match(text);
        if (!match.Success)
        {
            return null;
        }

        try
        {
            var tag = Convert.FromBase64String(match.Groups["tag"].Value);
            var iv = Convert.FromBase64String(match.Groups["iv"].Value);
            return tag.Length * 8 == TagBits && iv.Length > 0
                ? new SopsEncryptedValue(Convert.FromBase64String(match.Groups["data"].Value), iv, tag, match.Groups["type"].Value)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Decrypts with the data key and the value's additional data; returns null when the tag does not
    /// authenticate (a changed value, path or key).
    /// </summary>
    public byte[]? TryDecrypt(byte[] dataKey, string additionalData)
    {
        // sops uses 32-byte IVs, which .NET's AesGcm (12-byte nonces only) cannot take; BouncyCastle's GCM can.
        var gcm = new GcmBlockCipher(new AesEngine());
        gcm.Init(false, new AeadParameters(new KeyParameter(dataKey), TagBits, Iv, Encoding.UTF8.GetBytes(additionalData)));
        var input = new byte[Data.Length + Tag.Length];
        Data.CopyTo(input, 0);
        Tag.CopyTo(input, Data.Length);
        var output = new byte[gcm.GetOutputSize(input.Length)];
        try
        {
            var length = gcm.ProcessBytes(input, 0, input.Length, output, 0);
            length += gcm.DoFinal(output, length);
            if (length == output.Length)
            {
                return output;
            }

            var result = output[..length];
            Array.Clear(output);
            return result;
        }
        catch (InvalidCipherTextException)
        {
            Array.Clear(output);
            return null;
        }
    }

    /// <summary>Never shows the ciphertext either: a malformed value may be a plaintext secret.</summary>
    public override string ToString() => $"ENC[AES256_GCM,type:{Type}]";

    [GeneratedRegex(@"^ENC\[AES256_GCM,data:(?<data>[A-Za-z0-9+/=]*),iv:(?<iv>[A-Za-z0-9+/=]+),tag:(?<tag>[A-Za-z0-9+/=]+),type:(?<type>[a-z0-9]+)\]$")]
    private static partial Regex Format();
}
