using System.Security.Cryptography;

namespace Granary.Grains.Build.Sops;

/// <summary>The ChaCha20-Poly1305 seal/open and HKDF-SHA-256 steps of the age format.</summary>
internal static class AgeCipher
{
    /// <summary>The ChaCha20-Poly1305 nonce length.</summary>
    public const int NonceSize = 12;

    /// <summary>The Poly1305 tag length.</summary>
    public const int TagSize = 16;

    /// <summary>Opens <paramref name="sealedData"/> (ciphertext followed by tag), or returns null when it does not authenticate.</summary>
    public static byte[]? TryOpen(byte[] key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealedData)
    {
        if (sealedData.Length < TagSize)
        {
            return null;
        }

        var plaintext = new byte[sealedData.Length - TagSize];
        using var aead = new ChaCha20Poly1305(key);
        try
        {
            aead.Decrypt(nonce, sealedData[..^TagSize], sealedData[^TagSize..], plaintext);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>HKDF-SHA-256 with a 32-byte output, as every age key derivation uses.</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> inputKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info)
    {
        var output = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, inputKey, output, salt, info);
        return output;
    }
}
