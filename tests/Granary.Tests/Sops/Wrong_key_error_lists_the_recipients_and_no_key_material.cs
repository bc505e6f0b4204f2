using Granary.Grains.Build.Sops;

namespace Granary.Tests.Sops;

public sealed class Wrong_key_error_lists_the_recipients_and_no_key_material
{
    [Fact]
    public void The_error_names_the_object_and_every_recipient_of_the_file()
    {
        var (_, first) = AgeTools.GenerateKey();
        var (_, second) = AgeTools.GenerateKey();
        var (wrong, wrongRecipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt(SampleSecret.Yaml, first, second);

        var error = Assert.Throws<SopsDecryptionException>(() => new SopsDecryptor(SampleSecret.Identities(wrong)).Decrypt(encrypted));

        Assert.Equal(SopsFailureReason.NoMatchingKey, error.Reason);
        Assert.Equal("Secret apps/db-credentials", error.ObjectName);
        Assert.StartsWith("Secret apps/db-credentials: ", error.Message);
        Assert.Contains(first, error.Message);
        Assert.Contains(second, error.Message);
        Assert.Contains(".agekey", error.Message);
        var secretKey = wrong.Split('\n').Single(line => line.StartsWith("AGE-SECRET-KEY-1", StringComparison.Ordinal));
        Assert.DoesNotContain(secretKey, error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AGE-SECRET-KEY", error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(wrongRecipient, error.Message);
    }

    [Fact]
    public void An_identity_shows_only_its_recipient()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();

        var identity = Assert.Single(SampleSecret.Identities(keyFile));

        Assert.Equal(recipient, identity.Recipient);
        Assert.Equal(recipient, identity.ToString());
    }

    [Fact]
    public void A_broken_identity_line_is_named_by_line_number_without_its_text()
    {
        var (keyFile, _) = AgeTools.GenerateKey();
        var secretKey = keyFile.Split('\n').Single(line => line.StartsWith("AGE-SECRET-KEY-1", StringComparison.Ordinal));
        // Flip one character: the Bech32 checksum catches it.
        var broken = secretKey[..^3] + (secretKey[^3] == 'Q' ? 'P' : 'Q') + secretKey[^2..];

        var error = Assert.Throws<AgeIdentityFormatException>(() => AgeIdentity.ParseFile("flux-system/sops-age age.agekey", $"# comment\n\n{broken}\n"));

        Assert.Contains("flux-system/sops-age age.agekey, line 3", error.Message);
        Assert.Contains("checksum", error.Message);
        Assert.DoesNotContain(broken[16..40], error.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
