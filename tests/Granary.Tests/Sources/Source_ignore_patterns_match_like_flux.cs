using Granary.Grains.Artifacts;

namespace Granary.Tests.Sources;

public sealed class Source_ignore_patterns_match_like_flux
{
    [Theory]
    // a name without '/' matches in any directory, and everything below a matching directory
    [InlineData("*.md", "README.md", false, true)]
    [InlineData("*.md", "docs/guide.md", false, true)]
    [InlineData("*.md", "docs/guide.yaml", false, false)]
    [InlineData("docs", "docs/guide.yaml", false, true)]
    [InlineData("tmp", "a/tmp/b.yaml", false, true)]
    // trailing '/' matches directories only
    [InlineData("build/", "build", true, true)]
    [InlineData("build/", "build", false, false)]
    [InlineData("build/", "build/out.yaml", false, true)]
    // a leading or inner '/' anchors to the root
    [InlineData("/config.yaml", "config.yaml", false, true)]
    [InlineData("/config.yaml", "sub/config.yaml", false, false)]
    [InlineData("deploy/*.txt", "deploy/notes.txt", false, true)]
    [InlineData("deploy/*.txt", "other/deploy/notes.txt", false, false)]
    [InlineData("/deploy", "deploy/app/x.yaml", false, true)]
    // '**' spans directories
    [InlineData("**/secret.yaml", "secret.yaml", false, true)]
    [InlineData("**/secret.yaml", "a/b/secret.yaml", false, true)]
    [InlineData("/deploy/**/*.md", "deploy/a/b/readme.md", false, true)]
    [InlineData("/deploy/**/*.md", "deploy/readme.md", false, true)]
    [InlineData("/deploy/**/*.md", "docs/readme.md", false, false)]
    [InlineData("logs/**", "logs/a/b.log", false, true)]
    // globs within a component
    [InlineData("file?.yaml", "file1.yaml", false, true)]
    [InlineData("file?.yaml", "file10.yaml", false, false)]
    [InlineData("[abc].yaml", "b.yaml", false, true)]
    [InlineData("[^abc].yaml", "b.yaml", false, false)]
    [InlineData("[a-c]x", "bx", false, true)]
    [InlineData("\\*.yaml", "*.yaml", false, true)]
    [InlineData("\\*.yaml", "a.yaml", false, false)]
    [InlineData("[unclosed", "[unclosed", false, false)]
    public void A_single_pattern_excludes_what_flux_excludes(string pattern, string path, bool isDirectory, bool ignored)
    {
        var ignore = new SourceIgnore([SourceIgnorePattern.Parse(pattern)]);

        Assert.Equal(ignored, ignore.IsIgnored(path, isDirectory));
    }

    [Theory]
    [InlineData("deploy/app.yaml", false)]
    [InlineData("deploy/notes.md", true)]
    [InlineData("deploy/sub/notes.txt", true)]
    [InlineData("src/main.go", true)]
    [InlineData("README.md", true)]
    public void The_last_matching_pattern_wins_so_negation_re_includes(string path, bool ignored)
    {
        // The example from Flux's GitRepository documentation.
        var ignore = new SourceIgnore(SourceIgnore.ReadPatterns("# exclude all\n/*\n# include deploy dir\n!/deploy\n# exclude file extensions from deploy dir\n/deploy/**/*.md\n/deploy/**/*.txt\n"));

        Assert.Equal(ignored, ignore.IsIgnored(path, false));
    }

    [Theory]
    [InlineData(".git/config", true)]
    [InlineData(".gitignore", true)]
    [InlineData(".gitmodules", true)]
    [InlineData(".gitattributes", true)]
    [InlineData("img/logo.png", true)]
    [InlineData("photo.JPG", false)]
    [InlineData("chart.tar.gz", true)]
    [InlineData("bundle.zip", true)]
    [InlineData(".github/workflows/ci.yaml", true)]
    [InlineData(".circleci/config.yml", true)]
    [InlineData(".travis.yml", true)]
    [InlineData(".gitlab-ci.yml", true)]
    [InlineData("appveyor.yml", true)]
    [InlineData(".drone.yml", true)]
    [InlineData("cloudbuild.yaml", true)]
    [InlineData("codeship-services.yml", true)]
    [InlineData("codeship-steps.yml", true)]
    [InlineData("tools/.goreleaser.yml", true)]
    [InlineData("clusters/prod/.sops.yaml", true)]
    [InlineData(".flux.yaml", true)]
    [InlineData("apps/podinfo.yaml", false)]
    public void Flux_default_exclusions_apply_when_nothing_else_is_given(string path, bool ignored)
    {
        Assert.Equal(ignored, SourceIgnore.WithDefaults([]).IsIgnored(path, false));
    }

    [Fact]
    public void Any_given_pattern_replaces_the_defaults_but_never_the_git_files()
    {
        var ignore = SourceIgnore.WithDefaults(SourceIgnore.ReadPatterns("*.md\n"));

        Assert.False(ignore.IsIgnored("logo.png", false));
        Assert.False(ignore.IsIgnored(".github/workflows/ci.yaml", false));
        Assert.True(ignore.IsIgnored("README.md", false));
        Assert.True(ignore.IsIgnored(".git/HEAD", false));
        Assert.True(ignore.IsIgnored(".gitignore", false));
    }

    [Fact]
    public void A_nested_sourceignore_applies_only_below_its_directory()
    {
        var ignore = new SourceIgnore(SourceIgnore.ReadPatterns("*.yaml\n", ["apps"]));

        Assert.True(ignore.IsIgnored("apps/a.yaml", false));
        Assert.True(ignore.IsIgnored("apps/x/b.yaml", false));
        Assert.False(ignore.IsIgnored("infra/a.yaml", false));
        Assert.False(ignore.IsIgnored("apps", true));
    }

    [Fact]
    public void Comments_blank_lines_and_carriage_returns_are_not_patterns()
    {
        var patterns = SourceIgnore.ReadPatterns("# comment\r\n\r\n   \r\n*.md\r\nbuild/  \r\n");

        Assert.Equal(["*.md", "build/  "], patterns.Select(p => p.Text));
        Assert.True(new SourceIgnore(patterns).IsIgnored("build", true));
    }
}
