using System.Text;
using System.Text.Json.Nodes;
using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class OCIRepositories_authenticate_and_pin_digests(LocalKubernetes kubernetes) : HelmTestBase(kubernetes, ("robot", "s3cret-pass")), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_docker_config_secret_authenticates_and_a_digest_pins_the_artifact()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0"), new TestChart("demo", "1.1.0"));
        var registry = new Uri(Charts.Url).Authority;
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("robot:s3cret-pass"));
        await CreateAsync("Secret", "registry", new Dictionary<string, string>
        {
            [".dockerconfigjson"] = new JsonObject { ["auths"] = new JsonObject { [registry] = new JsonObject { ["auth"] = auth } } }.ToJsonString(),
        });

        var tagged = await ApplyOciRepositoryAsync("demo", new OCIRepositoryRef { Tag = "1.0.0" }, spec => spec with { SecretRef = new LocalObjectReference { Name = "registry" } });
        Assert.True(tagged.IsReady, string.Join("; ", tagged.Conditions.Select(c => c.Message)));
        var digest = tagged.Artifact!.Revision[(tagged.Artifact.Revision.IndexOf('@') + 1)..];

        var pinned = await ApplyOciRepositoryAsync("pinned", new OCIRepositoryRef { Digest = digest, Tag = "1.1.0" }, spec => spec with { SecretRef = new LocalObjectReference { Name = "registry" } });

        Assert.True(pinned.IsReady, string.Join("; ", pinned.Conditions.Select(c => c.Message)));
        Assert.Equal(digest, pinned.Artifact!.Revision);
        var status = await ApplyReleaseAsync("web", "ignored", ChartRef("OCIRepository", "pinned"));
        Assert.True(status.IsReady, Why(status));
        Assert.Equal("1.0.0", status.LastAppliedRevision);
    }

    [Fact]
    public async Task Without_credentials_the_failure_says_to_set_the_secret_and_never_shows_it()
    {
        Charts.Add(false, new TestChart("demo", "1.0.0"));
        await CreateAsync("Secret", "wrong", new Dictionary<string, string> { ["username"] = "robot", ["password"] = "not-the-pass" });

        var anonymous = await ApplyOciRepositoryAsync("anonymous", new OCIRepositoryRef { Tag = "1.0.0" });
        var wrong = await ApplyOciRepositoryAsync("wrong", new OCIRepositoryRef { Tag = "1.0.0" }, spec => spec with { SecretRef = new LocalObjectReference { Name = "wrong" } });

        var first = anonymous.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("AuthenticationFailed", first.Reason);
        Assert.Contains("needs credentials", first.Message);
        var second = wrong.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("AuthenticationFailed", second.Reason);
        Assert.DoesNotContain("not-the-pass", second.Message);
    }
}
