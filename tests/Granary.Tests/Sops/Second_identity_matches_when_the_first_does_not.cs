using Granary.Grains.Build.Sops;

namespace Granary.Tests.Sops;

public sealed class Second_identity_matches_when_the_first_does_not
{
    [Fact]
    public void An_agekey_file_with_an_unrelated_key_first_still_decrypts()
    {
        var (unrelated, _) = AgeTools.GenerateKey();
        var (matching, recipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt(SampleSecret.Yaml, recipient);

        // One .agekey entry holding both keys, with age-keygen's comments and a blank line between.
        var identities = SampleSecret.Identities(unrelated + "\n" + matching);
        Assert.Equal(2, identities.Count);

        var decrypted = new SopsDecryptor(identities).Decrypt(encrypted);

        Assert.Equal(SampleSecret.Dsn, (string)decrypted["stringData"]!["dsn"]!);
    }

    [Fact]
    public void Identities_from_several_agekey_entries_are_all_tried()
    {
        var (first, _) = AgeTools.GenerateKey();
        var (second, recipient) = AgeTools.GenerateKey();
        var (_, otherRecipient) = AgeTools.GenerateKey();
        // Encrypted for two recipients, only the second of which we hold.
        var encrypted = SopsTestEncryptor.Encrypt(SampleSecret.Yaml, otherRecipient, recipient);

        var decrypted = new SopsDecryptor(SampleSecret.Identities(first, second)).Decrypt(encrypted);

        Assert.Equal(SampleSecret.Username, (string)decrypted["stringData"]!["username"]!);
    }

    [Fact]
    public void A_decryption_secret_contributes_its_agekey_entries_only()
    {
        var (first, _) = AgeTools.GenerateKey();
        var (second, recipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt(SampleSecret.Yaml, recipient);
        var data = new Dictionary<string, byte[]>
        {
            ["a.agekey"] = System.Text.Encoding.UTF8.GetBytes(first),
            ["b.agekey"] = System.Text.Encoding.UTF8.GetBytes(second),
            ["sops.asc"] = "not an age key"u8.ToArray(),
        };

        var identities = AgeIdentity.FromSecretData("flux-system/sops-keys", data);

        Assert.Equal(2, identities.Count);
        Assert.Equal(recipient, identities[1].Recipient);
        Assert.Equal(SampleSecret.Dsn, (string)new SopsDecryptor(identities).Decrypt(encrypted)["stringData"]!["dsn"]!);
    }
}
