using System.Text.Json.Nodes;
using Granary.Grains.Build.Sops;
using Granary.Grains.Resources;
using Granary.Testing;

namespace Granary.Tests.Demo;

/// <summary>The SOPS Secret committed in examples/ and the demo age key committed beside it belong together.</summary>
public sealed class Demo_secret_decrypts_with_the_demo_key
{
    [Fact]
    public void The_operator_token_decrypts_with_keys_demo_agekey()
    {
        var examples = Path.Combine(RepositoryRoot.Path, "examples");
        var encrypted = (JsonObject)YamlToJson.ParseDocuments(File.ReadAllText(Path.Combine(examples, "operators", "operator-token.sops.yaml")))[0]!;
        var identities = AgeIdentity.ParseFile("keys/demo.agekey", File.ReadAllText(Path.Combine(examples, "keys", "demo.agekey")));

        var decrypted = new SopsDecryptor(identities).Decrypt(encrypted);

        Assert.Equal("demo-operator-token-not-a-real-secret", (string)decrypted["stringData"]!["token"]!);
    }
}
