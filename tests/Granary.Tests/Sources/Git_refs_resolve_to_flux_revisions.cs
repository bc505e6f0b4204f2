using Granary.Testing.Git;
using Granary.Grains.Sources.Git;

namespace Granary.Tests.Sources;

public sealed class Git_refs_resolve_to_flux_revisions : GitSourceTestBase
{
    private readonly TestGitRepository _repository;

    public Git_refs_resolve_to_flux_revisions() => _repository = NewRepository();

    [Fact]
    public async Task Branches_tags_semver_names_and_commits_give_flux_revision_strings()
    {
        var first = _repository.Commit(new Dictionary<string, string> { ["app.yaml"] = "v: 1\n" });
        _repository.Git("tag", "v1.0.0");
        _repository.Git("tag", "-a", "v1.2.0", "-m", "annotated");
        var second = _repository.Commit(new Dictionary<string, string> { ["app.yaml"] = "v: 2\n" });
        _repository.Git("tag", "v2.0.0-rc.1");
        _repository.Git("update-ref", "refs/pull/7/head", second);
        var url = GitRepositoryUrl.Parse(_repository.Url);

        async Task<GitRevision> Resolve(GitRef gitRef) => await Source.ResolveAsync(url, gitRef, null, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal($"main@sha1:{second}", (await Resolve(new GitRef(Branch: "main"))).Revision);
        Assert.Equal($"v1.0.0@sha1:{first}", (await Resolve(new GitRef(Tag: "v1.0.0"))).Revision);
        // An annotated tag resolves to the commit it points at, not to the tag object.
        Assert.Equal($"v1.2.0@sha1:{first}", (await Resolve(new GitRef(Tag: "v1.2.0"))).Revision);
        Assert.Equal($"v1.2.0@sha1:{first}", (await Resolve(new GitRef(Semver: "^1.0.0"))).Revision);
        Assert.Equal($"v2.0.0-rc.1@sha1:{second}", (await Resolve(new GitRef(Semver: ">=1.0.0-0"))).Revision);
        Assert.Equal($"refs/heads/main@sha1:{second}", (await Resolve(new GitRef(Name: "refs/heads/main"))).Revision);
        Assert.Equal($"refs/pull/7/head@sha1:{second}", (await Resolve(new GitRef(Name: "refs/pull/7/head"))).Revision);
        Assert.Equal($"sha1:{first}", (await Resolve(new GitRef(Commit: first))).Revision);
        Assert.Equal($"main@sha1:{first}", (await Resolve(new GitRef(Branch: "main", Commit: first.ToUpperInvariant()))).Revision);
    }

    [Fact]
    public async Task The_most_specific_field_wins_as_in_flux()
    {
        var first = _repository.Commit(new Dictionary<string, string> { ["a"] = "1" });
        _repository.Git("tag", "v1.0.0");
        var second = _repository.Commit(new Dictionary<string, string> { ["a"] = "2" });
        _repository.Git("tag", "v1.1.0");
        var url = GitRepositoryUrl.Parse(_repository.Url);

        async Task<string> Resolve(GitRef gitRef) => (await Source.ResolveAsync(url, gitRef, null, TimeSpan.FromSeconds(30), CancellationToken.None)).Revision;

        Assert.Equal($"v1.0.0@sha1:{first}", await Resolve(new GitRef(Branch: "main", Tag: "v1.0.0")));
        Assert.Equal($"v1.1.0@sha1:{second}", await Resolve(new GitRef(Branch: "main", Tag: "v1.0.0", Semver: "1.x")));
        Assert.Equal($"refs/tags/v1.0.0@sha1:{first}", await Resolve(new GitRef(Tag: "v1.1.0", Semver: "1.x", Name: "refs/tags/v1.0.0")));
        Assert.Equal($"sha1:{first}", await Resolve(new GitRef(Tag: "v1.1.0", Name: "refs/heads/main", Commit: first)));
    }

    [Fact]
    public async Task Without_a_ref_the_master_branch_is_followed()
    {
        var legacy = NewRepository("master");
        var commit = legacy.Commit(new Dictionary<string, string> { ["a"] = "1" });

        var artifact = await FetchNewAsync(new GitSourceRequest(legacy.Url));

        Assert.Equal($"master@sha1:{commit}", artifact.Revision);
        Assert.Equal(commit, artifact.Commit);
    }

    [Fact]
    public async Task A_missing_branch_or_unmatched_range_names_the_ref_and_the_repository()
    {
        _repository.Commit(new Dictionary<string, string> { ["a"] = "1" });
        _repository.Git("tag", "v1.0.0");

        var noMaster = await Assert.ThrowsAsync<GitSourceException>(() => FetchNewAsync(new GitSourceRequest(_repository.Url)));
        Assert.Equal(GitSourceFailure.RefNotFound, noMaster.Failure);
        Assert.Contains("branch 'master'", noMaster.Message);
        Assert.Contains("spec.ref.branch", noMaster.Message);
        Assert.Contains(_repository.Url, noMaster.Message);

        var noMatch = await Assert.ThrowsAsync<GitSourceException>(() => FetchNewAsync(new GitSourceRequest(_repository.Url, new GitRef(Semver: ">=2"))));
        Assert.Equal(GitSourceFailure.RefNotFound, noMatch.Failure);
        Assert.Contains("semver '>=2'", noMatch.Message);
    }

    [Theory]
    [InlineData(null, "-main", null, null, "spec.ref.branch")]
    [InlineData(null, "a..b", null, null, "spec.ref.branch")]
    [InlineData("x:y", null, null, null, "spec.ref.tag")]
    [InlineData(null, null, "not a range", null, "spec.ref.semver")]
    [InlineData(null, null, null, "abc123", "spec.ref.commit")]
    public async Task Malformed_refs_are_refused_before_any_git_command(string? tag, string? branch, string? semver, string? commit, string field)
    {
        var error = await Assert.ThrowsAsync<GitSourceException>(() =>
            FetchNewAsync(new GitSourceRequest(_repository.Url, new GitRef(Branch: branch, Tag: tag, Semver: semver, Commit: commit))));

        Assert.Equal(GitSourceFailure.InvalidSpec, error.Failure);
        Assert.Contains(field, error.Message);
        Assert.Equal(0, Client.ListRemoteCount);
    }

    [Fact]
    public void Ls_remote_output_parses_with_peeled_tags()
    {
        var a = new string('a', 40);
        var b = new string('b', 40);
        var refs = GitRemoteRefs.Parse($"{a}\tHEAD\n{a}\trefs/heads/main\n{b}\trefs/tags/v1\n{a}\trefs/tags/v1^{{}}\n{new string('c', 64)}\trefs/heads/sha256\n");

        Assert.Equal(a, refs.CommitOf("refs/tags/v1"));
        Assert.Equal(a, refs.CommitOf("refs/heads/main"));
        Assert.Null(refs.CommitOf("refs/heads/sha256"));
        Assert.Equal(["v1"], refs.TagNames());
    }
}
