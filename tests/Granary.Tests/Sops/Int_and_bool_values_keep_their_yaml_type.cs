using System.Text.Json;
using Granary.Grains.Build.Sops;

namespace Granary.Tests.Sops;

public sealed class Int_and_bool_values_keep_their_yaml_type
{
    [Fact]
    public void Numbers_and_booleans_decrypt_to_numbers_and_booleans()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt("""
            apiVersion: example.dev/v1
            kind: DatabaseConfig
            metadata:
              name: typed
            spec:
              replicas: 3
            data:
              port: 5432
              negative: -17
              enabled: true
              disabled: false
              ratio: 0.25
              quoted: "5432"
            """, recipient);
        Assert.EndsWith("type:int]", (string)encrypted["data"]!["port"]!);
        Assert.EndsWith("type:bool]", (string)encrypted["data"]!["enabled"]!);

        var data = new SopsDecryptor(SampleSecret.Identities(keyFile)).Decrypt(encrypted)["data"]!;

        Assert.Equal(JsonValueKind.Number, data["port"]!.GetValueKind());
        Assert.Equal(5432, (long)data["port"]!);
        Assert.Equal(-17, (long)data["negative"]!);
        Assert.Equal(JsonValueKind.True, data["enabled"]!.GetValueKind());
        Assert.Equal(JsonValueKind.False, data["disabled"]!.GetValueKind());
        Assert.Equal(0.25, (double)data["ratio"]!);
        Assert.Equal(JsonValueKind.String, data["quoted"]!.GetValueKind());
        Assert.Equal("5432", (string)data["quoted"]!);
    }
}
