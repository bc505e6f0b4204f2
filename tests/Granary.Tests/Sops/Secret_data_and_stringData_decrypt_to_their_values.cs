using System.Text.Json.Nodes;
using Granary.Grains.Build.Sops;

namespace Granary.Tests.Sops;

public sealed class Secret_data_and_stringData_decrypt_to_their_values
{
    [Fact]
    public void Every_encrypted_value_comes_back_and_the_sops_block_is_gone()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt(SampleSecret.Yaml, recipient);
        Assert.StartsWith("ENC[AES256_GCM,", (string)encrypted["stringData"]!["dsn"]!);
        Assert.True(SopsDecryptor.IsEncrypted(encrypted));

        var decrypted = new SopsDecryptor(SampleSecret.Identities(keyFile)).Decrypt(encrypted);

        Assert.Equal(SampleSecret.Password, (string)decrypted["data"]!["password"]!);
        Assert.Equal(SampleSecret.Username, (string)decrypted["stringData"]!["username"]!);
        Assert.Equal(SampleSecret.Dsn, (string)decrypted["stringData"]!["dsn"]!);
        Assert.Equal("db", (string)decrypted["metadata"]!["labels"]!["app"]!);
        Assert.False(decrypted.ContainsKey("sops"));
        Assert.False(SopsDecryptor.IsEncrypted(decrypted));
    }

    [Fact]
    public void The_input_object_is_left_encrypted()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt(SampleSecret.Yaml, recipient);
        var before = encrypted.ToJsonString();

        new SopsDecryptor(SampleSecret.Identities(keyFile)).Decrypt(encrypted);

        Assert.Equal(before, encrypted.ToJsonString());
    }

    [Fact]
    public void Values_in_lists_and_empty_strings_decrypt_too()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt("""
            apiVersion: example.dev/v1
            kind: Vault
            metadata:
              name: lists
            data:
              tokens: [alpha-1, beta-2]
              nested:
                - inner: gamma-3
              empty: ""
            """, recipient);

        var decrypted = new SopsDecryptor(SampleSecret.Identities(keyFile)).Decrypt(encrypted);

        Assert.Equal("""{"tokens":["alpha-1","beta-2"],"nested":[{"inner":"gamma-3"}],"empty":""}""", decrypted["data"]!.ToJsonString());
    }
}
