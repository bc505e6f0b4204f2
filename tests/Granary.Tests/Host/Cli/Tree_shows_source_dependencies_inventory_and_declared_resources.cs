using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Host.Cli;

/// <summary>
/// <c>granary tree</c>, like <c>flux tree kustomization</c>: the Kustomization, its source, its dependsOn followed down,
/// the objects it applied, and a Kustomization its build declared (self-management) as a subtree of its own.
/// </summary>
public sealed class Tree_shows_source_dependencies_inventory_and_declared_resources(LocalKubernetes kubernetes) : HostOnClusterTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_Kustomization_prints_as_an_indented_tree_and_as_json()
    {
        Repository.Commit(new Dictionary<string, string>
        {
            ["base/base.yaml"] = Object(ConfigMap("base-settings", "b")),
            ["infra/infra.yaml"] = Object(ConfigMap("infra-settings", "i")),
            ["apps/settings.yaml"] = Object(ConfigMap("settings", "a")),
            ["apps/child.yaml"] = Kustomization("child", "./child"),
            ["child/child.yaml"] = Object(ConfigMap("child-settings", "c")),
        });
        await ApplyOkAsync(string.Join("\n---\n",
            GitRepositoryYaml("fleet"), Kustomization("base", "./base"), Kustomization("infra", "./infra", "base"), Kustomization("apps", "./apps", "infra")));
        await Eventually.WaitUntilAsync(async () => await ReadyAsync("apps") && await ReadyAsync("child"), Deadline, "apps and the child it declares to be ready");

        var tree = await RunAsync(ReadToken, "tree", "kustomization", "apps", "-n", Ns);

        Assert.True(tree.ExitCode == 0, tree.ToString());
        Assert.Equal(
            $"""
            Kustomization/<ns>/apps [Ready=True main@sha1:{Commit}]
            ├── GitRepository/<ns>/fleet (source) [Ready=True main@sha1:{Commit}]
            ├── Kustomization/<ns>/infra (dependsOn) [Ready=True main@sha1:{Commit}]
            │   └── Kustomization/<ns>/base (dependsOn) [Ready=True main@sha1:{Commit}]
            ├── ConfigMap/<target>/settings
            └── Kustomization/<ns>/child [Ready=True main@sha1:{Commit}]
                ├── GitRepository/<ns>/fleet (source) [Ready=True main@sha1:{Commit}]
                └── ConfigMap/<target>/child-settings

            """.ReplaceLineEndings("\n"),
            Normalise(tree.Output).Replace(Target.ToString(), "<target>"));

        var json = await RunAsync(ReadToken, "tree", "kustomization", "apps", "-n", Ns, "-o", "json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(json.Output)!;
        Assert.Equal("resource", root["relation"]!.GetValue<string>());
        Assert.Equal(["source", "dependsOn", "object", "declared"], root["children"]!.AsArray().Select(c => c!["relation"]!.GetValue<string>()));
        Assert.Equal("", root["children"]![2]!["group"]!.GetValue<string>());

        var missing = await RunAsync(ReadToken, "tree", "kustomization", "nothing", "-n", Ns);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"Kustomization {Ns}/nothing does not exist", missing.Error);
    }

    private async Task<bool> ReadyAsync(string name) =>
        (await Reader.GetAsync(ResourcePath("Kustomization", name))) is { IsSuccessStatusCode: true } response
        && System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!["ready"]!.GetValue<string>() == "True";

    /// <summary>A ConfigMap manifest placed in the target namespace.</summary>
    private string Object(string configMap) => configMap.Replace("metadata:\n", $"metadata:\n  namespace: {Target}\n");

    private string Kustomization(string name, string path, string? dependsOn = null) =>
        KustomizationAt(name, path, ["interval: 10m", "retryInterval: 1s", .. dependsOn is null ? Array.Empty<string>() : [$"dependsOn: [{{name: {dependsOn}}}]"]]);
}
