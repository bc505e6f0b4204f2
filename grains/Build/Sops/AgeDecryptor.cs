using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Granary.Grains.Build.Sops;

/// <summary>
/// Decrypts age v1 files (binary or armored) addressed to X25519 recipients, natively: unwraps the file
/// key with one of the identities, checks the header MAC, then opens the STREAM payload chunk by chunk.
/// </summary>
public sealed class AgeDecryptor(IReadOnlyList<AgeIdentity> identities)
{
    private const int ChunkSize = 64 * 1024;
    private const int PayloadNonceSize = 16;
    private const int FileKeySize = 16;

    /// <summary>
    /// Returns the plaintext of an age file; throws <see cref="AgeNoIdentityMatchedException"/> when no
    /// identity can open it and <see cref="AgeFormatException"/> when it is malformed or was tampered with.
    /// </summary>
    public byte[] Decrypt(ReadOnlySpan<byte> file)
    {
        var binary = AgeArmor.IsArmored(file) ? AgeArmor.Decode(file) : file.ToArray();
        var header = AgeHeader.Parse(binary);
        var fileKey = UnwrapFileKey(header);
        try
        {
            VerifyHeaderMac(header, fileKey);
            return OpenPayload(binary.AsSpan(header.PayloadOffset), fileKey);
        }
        finally
        {
            Array.Clear(fileKey);
        }
    }

    private byte[] UnwrapFileKey(AgeHeader header)
    {
        foreach (var stanza in header.Stanzas.Where(stanza => stanza.Type == "X25519"))
        {
            // The spec requires rejecting a malformed X25519 stanza rather than skipping it; checking the
            // body length first also avoids a partitioning oracle.
            if (stanza.Arguments.Count != 1)
            {
                throw new AgeFormatException("an X25519 stanza does not have exactly one ephemeral share");
            }

            var share = AgeHeader.DecodeRawBase64(stanza.Arguments[0], "X25519 ephemeral share");
            if (share.Length != 32 || stanza.Body.Length != FileKeySize + AgeCipher.TagSize)
            {
                throw new AgeFormatException("an X25519 stanza has a share or body of the wrong length");
            }

            foreach (var identity in identities)
            {
                if (identity.Unwrap(share, stanza.Body) is { } fileKey)
                {
                    return fileKey;
                }
            }
        }

        throw new AgeNoIdentityMatchedException();
    }

    private static void VerifyHeaderMac(AgeHeader header, byte[] fileKey)
    {
        var macKey = AgeCipher.DeriveKey(fileKey, [], "header"u8);
        try
        {
            var expected = HMACSHA256.HashData(macKey, header.MacedBytes);
            if (!CryptographicOperations.FixedTimeEquals(expected, header.Mac))
            {
                throw new AgeFormatException("the age header MAC does not match (the header was modified)");
            }
        }
        finally
        {
            Array.Clear(macKey);
        }
    }

    private static byte[] OpenPayload(ReadOnlySpan<byte> payload, byte[] fileKey)
    {
        if (payload.Length < PayloadNonceSize)
        {
            throw new AgeFormatException("the age payload is shorter than its nonce");
        }

        var payloadKey = AgeCipher.DeriveKey(fileKey, payload[..PayloadNonceSize], "payload"u8);
        var chunks = payload[PayloadNonceSize..];
        var plaintext = new MemoryStream(Math.Max(0, chunks.Length - AgeCipher.TagSize));
        var nonce = new byte[AgeCipher.NonceSize];
        try
        {
            for (ulong counter = 0; ; counter++)
            {
                var isLast = chunks.Length <= ChunkSize + AgeCipher.TagSize;
                var chunk = isLast ? chunks : chunks[..(ChunkSize + AgeCipher.TagSize)];
                // Nonce: 11-byte big-endian chunk counter, then 0x01 for the final chunk.
                BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(3, 8), counter);
                nonce[11] = isLast ? (byte)1 : (byte)0;
                var opened = AgeCipher.TryOpen(payloadKey, nonce, chunk)
                    ?? throw new AgeFormatException($"age payload chunk {counter} does not authenticate (truncated or modified)");
                if (opened.Length == 0 && counter > 0)
                {
                    throw new AgeFormatException("the age payload ends with an empty chunk");
                }

                plaintext.Write(opened);
                Array.Clear(opened);
                if (isLast)
                {
                    return plaintext.ToArray();
                }

                chunks = chunks[(ChunkSize + AgeCipher.TagSize)..];
            }
        }
        finally
        {
            Array.Clear(payloadKey);
            // MemoryStream's buffer held plaintext; clear it (ToArray has already copied what we return).
            if (plaintext.TryGetBuffer(out var buffer))
            {
                buffer.AsSpan().Clear();
            }
        }
    }
}
