using System.Text.Json.Nodes;
using Granary.Grains.Build.Sops;

namespace Granary.Tests.Sops;

public sealed class Tampered_values_fail_naming_their_path
{
    private readonly string keyFile;
    private readonly JsonObject encrypted;

    public Tampered_values_fail_naming_their_path()
    {
        (keyFile, var recipient) = AgeTools.GenerateKey();
        encrypted = SopsTestEncryptor.Encrypt(SampleSecret.Yaml, recipient);
    }

    [Fact]
    public void A_changed_ciphertext_fails_its_tag_at_its_path()
    {
        var value = (string)encrypted["stringData"]!["dsn"]!;
        var data = value[(value.IndexOf("data:", StringComparison.Ordinal) + 5)..value.IndexOf(",iv:", StringComparison.Ordinal)];
        var bytes = Convert.FromBase64String(data);
        bytes[0] ^= 1;
        encrypted["stringData"]!["dsn"] = value.Replace(data, Convert.ToBase64String(bytes), StringComparison.Ordinal);

        var error = Decrypting();

        Assert.Equal(SopsFailureReason.ValueTampered, error.Reason);
        Assert.Equal("stringData.dsn", error.Path);
        Assert.Contains("stringData.dsn", error.Message);
    }

    [Fact]
    public void A_value_moved_to_another_key_fails_because_its_path_is_authenticated()
    {
        var username = encrypted["stringData"]!["username"]!.GetValue<string>();
        var dsn = encrypted["stringData"]!["dsn"]!.GetValue<string>();
        encrypted["stringData"]!["username"] = dsn;
        encrypted["stringData"]!["dsn"] = username;

        var error = Decrypting();

        Assert.Equal(SopsFailureReason.ValueTampered, error.Reason);
        Assert.Equal("stringData.username", error.Path);
    }

    [Fact]
    public void A_changed_plain_field_fails_the_mac()
    {
        encrypted["metadata"]!["labels"]!["app"] = "not-db";

        var error = Decrypting();

        Assert.Equal(SopsFailureReason.MacMismatch, error.Reason);
        Assert.Contains("MAC mismatch", error.Message);
    }

    [Fact]
    public void A_removed_value_fails_the_mac()
    {
        encrypted["stringData"]!.AsObject().Remove("username");

        Assert.Equal(SopsFailureReason.MacMismatch, Decrypting().Reason);
    }

    [Fact]
    public void A_changed_lastmodified_fails_the_mac()
    {
        encrypted["sops"]!["lastmodified"] = "2001-01-01T00:00:00Z";

        Assert.Equal(SopsFailureReason.MacMismatch, Decrypting().Reason);
    }

    [Fact]
    public void A_malformed_value_is_named_by_its_path()
    {
        encrypted["data"]!["password"] = "ENC[AES256_GCM,data:!!!,iv:x,tag:y,type:str]";

        var error = Decrypting();

        Assert.Equal(SopsFailureReason.MalformedValue, error.Reason);
        Assert.Equal("data.password", error.Path);
        Assert.Contains("data.password", error.Message);
        Assert.DoesNotContain("!!!", error.Message);
    }

    [Fact]
    public void A_value_left_in_plaintext_under_an_encrypted_key_is_malformed()
    {
        encrypted["stringData"]!["username"] = SampleSecret.Username;

        var error = Decrypting();

        Assert.Equal(SopsFailureReason.MalformedValue, error.Reason);
        Assert.Equal("stringData.username", error.Path);
    }

    private SopsDecryptionException Decrypting() =>
        Assert.Throws<SopsDecryptionException>(() => new SopsDecryptor(SampleSecret.Identities(keyFile)).Decrypt(encrypted));
}
