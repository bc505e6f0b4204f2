using System.Text.Json.Nodes;
using Granary.Grains.Build.Sops;

namespace Granary.Tests.Sops;

public sealed class Decrypted_values_never_appear_in_error_text
{
    public static TheoryData<string> Failures => new()
    {
        "wrong key", "changed ciphertext", "swapped values", "changed plain field", "changed lastmodified",
        "malformed value", "plaintext left in place", "type mismatch", "broken mac", "no age recipients",
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void No_failure_shows_a_plaintext_or_a_private_key(string failure)
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var (wrongKeyFile, _) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt(SampleSecret.Yaml, recipient);
        var identities = SampleSecret.Identities(failure == "wrong key" ? wrongKeyFile : keyFile);
        Break(encrypted, failure);

        var error = Assert.Throws<SopsDecryptionException>(() => new SopsDecryptor(identities).Decrypt(encrypted));

        var shown = string.Join("\n", error.ToString(), error.Message, error.Path, error.ObjectName);
        foreach (var plaintext in SampleSecret.Plaintexts)
        {
            Assert.DoesNotContain(plaintext, shown, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("AGE-SECRET-KEY", shown, StringComparison.OrdinalIgnoreCase);
        Assert.Null(error.InnerException);
        Assert.All(identities, identity => Assert.DoesNotContain("AGE-SECRET-KEY", identity.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    private static void Break(JsonObject encrypted, string failure)
    {
        var stringData = encrypted["stringData"]!.AsObject();
        switch (failure)
        {
            case "wrong key":
                break;
            case "changed ciphertext":
                var value = stringData["dsn"]!.GetValue<string>();
                stringData["dsn"] = value.Replace("data:", "data:AAAA", StringComparison.Ordinal);
                break;
            case "swapped values":
                var (username, dsn) = (stringData["username"]!.GetValue<string>(), stringData["dsn"]!.GetValue<string>());
                (stringData["username"], stringData["dsn"]) = (dsn, username);
                break;
            case "changed plain field":
                encrypted["type"] = "kubernetes.io/basic-auth";
                break;
            case "changed lastmodified":
                encrypted["sops"]!["lastmodified"] = "2001-01-01T00:00:00Z";
                break;
            case "malformed value":
                stringData["dsn"] = $"ENC[AES256_GCM,data:{SampleSecret.Dsn}]";
                break;
            case "plaintext left in place":
                stringData["dsn"] = SampleSecret.Dsn;
                break;
            case "type mismatch":
                // A str value relabelled as int: authenticates, but the plaintext is no integer.
                stringData["dsn"] = stringData["dsn"]!.GetValue<string>().Replace("type:str", "type:int", StringComparison.Ordinal);
                break;
            case "broken mac":
                var mac = encrypted["sops"]!["mac"]!.GetValue<string>();
                encrypted["sops"]!["mac"] = mac.Replace("data:", "data:AAAA", StringComparison.Ordinal);
                break;
            case "no age recipients":
                encrypted["sops"]!["age"] = new JsonArray();
                encrypted["sops"]!["pgp"] = new JsonArray(new JsonObject { ["fp"] = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4" });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(failure), failure, null);
        }

    }
}
