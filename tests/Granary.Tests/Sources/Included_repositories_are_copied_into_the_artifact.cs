using Granary.Grains.Artifacts;
using Granary.Grains.Sources.Git;

namespace Granary.Tests.Sources;

public sealed class Included_repositories_are_copied_into_the_artifact : GitSourceTestBase
{
    [Fact]
    public async Task The_from_path_of_another_artifact_lands_at_the_to_path()
    {
        var shared = NewRepository();
        shared.Commit(new Dictionary<string, string> { ["deploy/kubernetes/base.yaml"] = "kind: ConfigMap\n", ["docs/readme.md"] = "docs\n" });
        var app = NewRepository();
        app.Commit(new Dictionary<string, string> { ["app.yaml"] = "kind: Deployment\n" });
        var included = await FetchNewAsync(new GitSourceRequest(shared.Url, new GitRef(Branch: "main")));

        var artifact = await FetchNewAsync(new GitSourceRequest(app.Url, new GitRef(Branch: "main"),
            Includes: [new ArtifactInclude("shared", included.Bytes, FromPath: "deploy/kubernetes", ToPath: "base/shared"), new ArtifactInclude("docs", included.Bytes, FromPath: "docs")]));

        Assert.Equal(
            ["app.yaml", "base/shared/base.yaml", "docs/readme.md"],
            (await FilesOfAsync(artifact)).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_include_path_leaving_the_tree_is_refused()
    {
        var app = NewRepository();
        app.Commit(new Dictionary<string, string> { ["app.yaml"] = "x\n" });
        var included = await FetchNewAsync(new GitSourceRequest(app.Url, new GitRef(Branch: "main")));

        var error = await Assert.ThrowsAsync<ArtifactException>(() => FetchNewAsync(new GitSourceRequest(app.Url, new GitRef(Branch: "main"),
            Includes: [new ArtifactInclude("evil", included.Bytes, ToPath: "../outside")])));

        Assert.Contains("spec.include 'evil'", error.Message);
        Assert.Contains("toPath '../outside'", error.Message);
    }
}
