using System.Text.Json.Nodes;
using Granary.Contracts.Resources;
using Granary.Grains.Build.Kustomize;
using Granary.Testing;

namespace Granary.Tests.Build;

public sealed class Kustomize_builds_like_flux : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("granary-build-").FullName;
    private readonly KustomizeBuilder _builder = new(new KustomizeOptions { KubectlPath = Tools.Kubectl });

    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: nginx:1.25
        """;

    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: {app: web}
          ports:
            - port: 80
        """;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string path, string content)
    {
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    private static KustomizationSpec Spec(string path, Func<KustomizationSpec, KustomizationSpec>? change = null)
    {
        var spec = new KustomizationSpec
        {
            Path = path,
            Interval = GoDuration.Parse("10m"),
            Prune = true,
            SourceRef = new CrossNamespaceSourceReference { Kind = "GitRepository", Name = "fleet" },
        };
        return change is null ? spec : change(spec);
    }

    private static string Name(JsonObject o) => $"{o["kind"]}/{o["metadata"]!["namespace"]?.GetValue<string>() ?? ""}/{o["metadata"]!["name"]}";

    [Fact]
    public async Task A_plain_directory_gets_a_generated_kustomization_that_skips_non_manifests()
    {
        Write("apps/web/deployment.yaml", Deployment);
        Write("apps/web/service.yml", Service);
        Write("apps/web/values.yaml", "replicas: 3\n");
        Write("apps/web/README.md", "# docs");

        var objects = await _builder.BuildAsync(_root, Spec("./apps"), CancellationToken.None);

        Assert.Equal(["Deployment//web", "Service//web"], objects.Select(Name).Order());
    }

    [Fact]
    public async Task Spec_transforms_apply_namespace_prefix_images_patches_and_common_metadata()
    {
        Write("apps/deployment.yaml", Deployment);
        Write("apps/service.yaml", Service);

        var objects = await _builder.BuildAsync(_root, Spec("apps", s => s with
        {
            TargetNamespace = "prod",
            NamePrefix = "eu-",
            Images = [new KustomizeImage { Name = "nginx", NewTag = "1.27" }],
            Patches = [new KustomizePatch { Patch = "- op: add\n  path: /spec/replicas\n  value: 2\n", Target = new PatchTarget { Kind = "Deployment" } }],
            CommonMetadata = new CommonMetadata { Labels = new() { ["team"] = "web" }, Annotations = new() { ["owner"] = "sre" } },
        }), CancellationToken.None);

        var deployment = objects.Single(o => o["kind"]!.GetValue<string>() == "Deployment");
        Assert.Equal("Deployment/prod/eu-web", Name(deployment));
        Assert.Equal("nginx:1.27", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal(2, deployment["spec"]!["replicas"]!.GetValue<long>());
        Assert.All(objects, o => Assert.Equal("web", o["metadata"]!["labels"]!["team"]!.GetValue<string>()));
        Assert.All(objects, o => Assert.Equal("sre", o["metadata"]!["annotations"]!["owner"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_existing_kustomization_is_used_as_is()
    {
        Write("base/deployment.yaml", Deployment);
        Write("base/kustomization.yaml", "resources: [deployment.yaml]\nnamePrefix: base-\n");
        Write("base/ignored.yaml", Service);

        var objects = await _builder.BuildAsync(_root, Spec("./base"), CancellationToken.None);
        Assert.Equal("Deployment//base-web", Name(Assert.Single(objects)));
    }

    [Fact]
    public async Task A_broken_manifest_fails_with_kustomizes_reason()
    {
        Write("apps/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n");
        var error = await Assert.ThrowsAsync<BuildFailedException>(() => _builder.BuildAsync(_root, Spec("apps"), CancellationToken.None));
        Assert.Equal("BuildFailed", error.Reason);
        Assert.Contains("kustomize build failed", error.Message);
    }

    [Fact]
    public async Task A_path_that_is_missing_or_leaves_the_artifact_is_refused()
    {
        var missing = await Assert.ThrowsAsync<BuildFailedException>(() => _builder.BuildAsync(_root, Spec("./nope"), CancellationToken.None));
        Assert.Contains("spec.path './nope' does not exist", missing.Message);

        var escape = await Assert.ThrowsAsync<BuildFailedException>(() => _builder.BuildAsync(_root, Spec("../../etc"), CancellationToken.None));
        Assert.Contains("leaves the source artifact", escape.Message);
    }
}
