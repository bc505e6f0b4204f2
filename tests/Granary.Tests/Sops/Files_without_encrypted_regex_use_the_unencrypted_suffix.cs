using Granary.Grains.Build.Sops;

namespace Granary.Tests.Sops;

public sealed class Files_without_encrypted_regex_use_the_unencrypted_suffix
{
    private const string Yaml = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: everything
        stringData:
          token: tok-31337
          note_unencrypted: readable
        """;

    [Fact]
    public void Every_value_but_the_suffixed_ones_is_encrypted_and_decrypts()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.EncryptByDefaultRule(Yaml, recipient);
        Assert.StartsWith("ENC[", (string)encrypted["kind"]!);
        Assert.Equal("readable", (string)encrypted["stringData"]!["note_unencrypted"]!);

        var decrypted = new SopsDecryptor(SampleSecret.Identities(keyFile)).Decrypt(encrypted);

        Assert.Equal("Secret", (string)decrypted["kind"]!);
        Assert.Equal("everything", (string)decrypted["metadata"]!["name"]!);
        Assert.Equal("tok-31337", (string)decrypted["stringData"]!["token"]!);
        Assert.Equal("readable", (string)decrypted["stringData"]!["note_unencrypted"]!);
    }

    [Fact]
    public void An_error_does_not_show_the_encrypted_kind_or_name()
    {
        var (_, recipient) = AgeTools.GenerateKey();
        var (wrongKeyFile, _) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.EncryptByDefaultRule(Yaml, recipient);

        var error = Assert.Throws<SopsDecryptionException>(() => new SopsDecryptor(SampleSecret.Identities(wrongKeyFile)).Decrypt(encrypted));

        Assert.Equal("<encrypted> <encrypted>", error.ObjectName);
        Assert.DoesNotContain("ENC[", error.Message);
    }
}
