using System.Security.Cryptography;
using Granary.Grains.Build.Sops;

namespace Granary.Tests.Sops;

public sealed class Age_decryption_matches_the_age_binary
{
    // Empty, one byte, exactly one 64 KiB chunk, one byte more, and several chunks.
    public static TheoryData<int, bool> Sizes => new()
    {
        { 0, false }, { 1, true }, { 32, true }, { 64 * 1024, false }, { 64 * 1024 + 1, true }, { 200_000, false }, { 3 * 64 * 1024, true },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Files_written_by_age_decrypt_natively(int size, bool armor)
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var (_, otherRecipient) = AgeTools.GenerateKey();
        var plaintext = RandomNumberGenerator.GetBytes(size);
        var file = AgeTools.Encrypt(plaintext, [otherRecipient, recipient], armor);

        var decrypted = new AgeDecryptor(SampleSecret.Identities(keyFile)).Decrypt(file);

        Assert.Equal(plaintext, decrypted);
    }

    [Fact]
    public void A_file_for_other_recipients_reports_no_matching_identity()
    {
        var (keyFile, _) = AgeTools.GenerateKey();
        var (_, otherRecipient) = AgeTools.GenerateKey();
        var file = AgeTools.Encrypt([1, 2, 3], [otherRecipient], armor: true);

        Assert.Throws<AgeNoIdentityMatchedException>(() => new AgeDecryptor(SampleSecret.Identities(keyFile)).Decrypt(file));
    }

    [Fact]
    public void A_changed_payload_byte_fails_authentication()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var file = AgeTools.Encrypt(RandomNumberGenerator.GetBytes(100_000), [recipient], armor: false);
        file[^10] ^= 0x40;

        var error = Assert.Throws<AgeFormatException>(() => new AgeDecryptor(SampleSecret.Identities(keyFile)).Decrypt(file));

        Assert.Contains("chunk 1", error.Message);
    }

    [Fact]
    public void A_truncated_file_fails_instead_of_returning_a_prefix()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var file = AgeTools.Encrypt(RandomNumberGenerator.GetBytes(150_000), [recipient], armor: false);

        // Drop the last chunk: the second one then comes last, but was sealed as a non-final chunk.
        var lastChunk = 150_000 - 2 * 64 * 1024 + 16;
        var truncated = file[..^lastChunk];

        Assert.Throws<AgeFormatException>(() => new AgeDecryptor(SampleSecret.Identities(keyFile)).Decrypt(truncated));
    }

    [Fact]
    public void A_changed_header_fails_the_header_mac()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var file = AgeTools.Encrypt([1, 2, 3], [recipient], armor: false);
        // Add a stanza of an unknown type before the MAC line: identities ignore it, the MAC does not.
        var text = System.Text.Encoding.Latin1.GetString(file);
        var changed = System.Text.Encoding.Latin1.GetBytes(text.Replace("\n--- ", "\n-> unknown-type arg\n\n--- ", StringComparison.Ordinal));

        var error = Assert.Throws<AgeFormatException>(() => new AgeDecryptor(SampleSecret.Identities(keyFile)).Decrypt(changed));

        Assert.Contains("header MAC", error.Message);
    }
}
