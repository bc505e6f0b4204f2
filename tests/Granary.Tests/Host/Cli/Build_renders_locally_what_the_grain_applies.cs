using System.Text.Json.Nodes;
using Granary.Grains.Resources;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;
using Granary.Tests.Sops;

namespace Granary.Tests.Host.Cli;

/// <summary>
/// <c>granary build kustomization</c>, like <c>flux build kustomization</c>: a local directory rendered without a server, with
/// the grain's renderer and the spec from a file, prints the objects the grain applies — natively rendered or through
/// kustomize, substituted and labelled — and leaves SOPS-encrypted Secrets encrypted.
/// </summary>
public sealed class Build_renders_locally_what_the_grain_applies(LocalKubernetes kubernetes) : HostOnClusterTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task The_build_of_the_checkout_equals_the_objects_in_the_cluster()
    {
        Repository.Commit(new Dictionary<string, string>
        {
            ["apps/settings.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: \"${greeting}\"\n  fallback: \"${missing:=fallback}\"\n  count: \"1\"\n",
            ["tuned/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: k-\nresources:\n  - tuned.yaml\n",
            ["tuned/tuned.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tuned\ndata:\n  greeting: \"${greeting} from kustomize\"\n",
        });
        var kustomizations = $"{Kustomization("apps", "./apps")}\n---\n{Kustomization("tuned", "./tuned")}";
        await ApplyOkAsync($"{GitRepositoryYaml("fleet")}\n---\n{kustomizations}");
        await Eventually.WaitUntilAsync(async () => await ConfigMapValueAsync("settings", "greeting") == "hello" && await ConfigMapValueAsync("k-tuned", "greeting") == "hello from kustomize",
            Deadline, "both Kustomizations to apply");
        var file = WriteYaml(kustomizations, "kustomizations.yaml");

        var apps = await RunAsync(null, "build", "kustomization", "apps", "--path", Path.Combine(Repository.WorkTree, "apps"), "--kustomization-file", file, "--kubectl", Tools.Kubectl);
        var tuned = await RunAsync(null, "build", "kustomization", "tuned", "--path", Path.Combine(Repository.WorkTree, "tuned"), "--kustomization-file", file, "--kubectl", Tools.Kubectl);

        Assert.True(apps.ExitCode == 0, apps.ToString());
        Assert.True(tuned.ExitCode == 0, tuned.ToString());
        Assert.Equal(
            $"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: <target>
              labels:
                team: blue
                kustomize.toolkit.fluxcd.io/name: apps
                kustomize.toolkit.fluxcd.io/namespace: <ns>
            data:
              greeting: hello
              fallback: fallback
              count: "1"

            """.ReplaceLineEndings("\n"),
            Normalise(apps.Output).Replace(Target.ToString(), "<target>"));
        foreach (var built in YamlToJson.ParseDocuments(apps.Output + "---\n" + tuned.Output).OfType<JsonObject>())
        {
            var live = (await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Target}/configmaps/{built["metadata"]!["name"]}"))!;
            Assert.True(JsonNode.DeepEquals(built["data"], live["data"]), $"{built["metadata"]!["name"]}: built {built["data"]}, applied {live["data"]}");
            Assert.True(JsonNode.DeepEquals(built["metadata"]!["labels"], live["metadata"]!["labels"]), $"built {built["metadata"]!["labels"]}, applied {live["metadata"]!["labels"]}");
        }

        Assert.Contains("name: k-tuned", tuned.Output);
    }

    [Fact]
    public async Task Sops_secrets_are_printed_encrypted_and_substituteFrom_is_skipped_with_a_message()
    {
        var (_, recipient) = AgeTools.GenerateKey();
        var directory = NewDirectory();
        var encrypted = SopsTestEncryptor.Encrypt("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2-build\n", recipient);
        File.WriteAllText(Path.Combine(directory, "secret.yaml"), encrypted.ToJsonString());
        var file = WriteYaml(Kustomization("secrets", "./secrets", "{substituteFrom: [{kind: ConfigMap, name: vars}]}", "decryption: {provider: sops, secretRef: {name: sops-age}}"));

        var build = await RunAsync(null, "build", "kustomization", "secrets", "--path", directory, "--kustomization-file", file, "--kubectl", Tools.Kubectl);

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain("hunter2-build", build.Output);
        var secret = Assert.Single(YamlToJson.ParseDocuments(build.Output).OfType<JsonObject>());
        Assert.Equal(encrypted["stringData"]!["password"]!.GetValue<string>(), secret["stringData"]!["password"]!.GetValue<string>());
        Assert.NotNull(secret["sops"]!["mac"]);
        Assert.Contains($"Secret {Target}/db is SOPS-encrypted and printed as stored", build.Error);
        Assert.Contains("spec.postBuild.substituteFrom (ConfigMap/vars) is not read", build.Error);

        var missing = await RunAsync(null, "build", "kustomization", "other", "--path", directory, "--kustomization-file", file);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"holds no Kustomization other; it holds {Ns}/secrets", missing.Error);
    }

    private async Task<string?> ConfigMapValueAsync(string name, string key) =>
        (await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Target}/configmaps/{name}"))?["data"]?[key]?.GetValue<string>();

    private string Kustomization(string name, string path, string postBuild = "{substitute: {greeting: hello}}", params string[] specLines) => KustomizationAt(name, path,
        ["interval: 10m", "retryInterval: 1s", $"targetNamespace: {Target}", "commonMetadata: {labels: {team: blue}}", $"postBuild: {postBuild}", .. specLines]);
}
