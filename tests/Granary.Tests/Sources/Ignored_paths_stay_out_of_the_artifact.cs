using Granary.Grains.Sources.Git;

namespace Granary.Tests.Sources;

public sealed class Ignored_paths_stay_out_of_the_artifact : GitSourceTestBase
{
    private static readonly Dictionary<string, string> Tree = new()
    {
        ["apps/app.yaml"] = "kind: Deployment\n",
        ["apps/notes.md"] = "notes\n",
        ["docs/logo.png"] = "png\n",
        [".github/workflows/ci.yaml"] = "on: push\n",
        [".gitignore"] = "*.log\n",
        ["infra/.sops.yaml"] = "creation_rules: []\n",
        ["infra/db.yaml"] = "kind: StatefulSet\n",
    };

    [Fact]
    public async Task Flux_defaults_exclude_git_ci_and_media_files()
    {
        var repository = NewRepository();
        repository.Commit(Tree);

        var files = await FilesOfAsync(await FetchNewAsync(new GitSourceRequest(repository.Url, new GitRef(Branch: "main"))));

        Assert.Equal(["apps/app.yaml", "apps/notes.md", "infra/db.yaml"], files.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sourceignore_files_and_spec_ignore_override_the_defaults()
    {
        var repository = NewRepository();
        repository.Commit(new Dictionary<string, string>(Tree) { ["apps/.sourceignore"] = "*.md\n" });

        var files = await FilesOfAsync(await FetchNewAsync(new GitSourceRequest(repository.Url, new GitRef(Branch: "main"), Ignore: "/infra/\n!/infra/db.yaml\n")));

        // Only the Git files stay excluded by default once patterns are given; the nested .sourceignore and
        // spec.ignore (highest priority, with a negation) decide the rest.
        Assert.Equal(
            [".github/workflows/ci.yaml", "apps/.sourceignore", "apps/app.yaml", "docs/logo.png", "infra/db.yaml"],
            files.Keys.Order(StringComparer.Ordinal));
    }
}
