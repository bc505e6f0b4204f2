using Granary.Grains.Sources.Git;

namespace Granary.Tests.Sources;

public sealed class An_unchanged_revision_fetches_nothing : GitSourceTestBase
{
    [Fact]
    public async Task Ls_remote_alone_decides_and_a_new_commit_is_fetched_shallow()
    {
        var repository = NewRepository();
        var first = repository.Commit(new Dictionary<string, string> { ["app.yaml"] = "v: 1\n" });
        var request = new GitSourceRequest(repository.Url, new GitRef(Branch: "main"));

        var fetched = await FetchNewAsync(request);
        var fetchesAfterFirst = Client.FetchCount;
        var objectsAfterFirst = CacheObjects();

        var again = await Source.FetchAsync(request, fetched.Revision, CancellationToken.None);

        Assert.Equal(new GitFetchResult.Unchanged($"main@sha1:{first}"), again);
        Assert.Equal(fetchesAfterFirst, Client.FetchCount);
        Assert.Equal(objectsAfterFirst, CacheObjects());
        Assert.Equal(2, Client.ListRemoteCount);

        var second = repository.Commit(new Dictionary<string, string> { ["app.yaml"] = "v: 2\n" });
        var next = Assert.IsType<GitFetchResult.Fetched>(await Source.FetchAsync(request, fetched.Revision, CancellationToken.None));

        Assert.Equal($"main@sha1:{second}", next.Artifact.Revision);
        Assert.Equal("v: 2\n", (await FilesOfAsync(next.Artifact))["app.yaml"]);
        Assert.Equal(fetchesAfterFirst + 1, Client.FetchCount);
        // Shallow: the cache holds fetched tips, never the whole history.
        Assert.True(File.Exists(Path.Combine(Client.CachePathFor(GitRepositoryUrl.Parse(repository.Url)), "shallow")));
    }

    [Fact]
    public async Task A_commit_ref_seen_before_needs_no_remote_at_all()
    {
        var repository = NewRepository();
        var commit = repository.Commit(new Dictionary<string, string> { ["a"] = "1" });
        var request = new GitSourceRequest(repository.Url, new GitRef(Commit: commit));

        var fetched = await FetchNewAsync(request);
        var again = await Source.FetchAsync(request, fetched.Revision, CancellationToken.None);

        Assert.IsType<GitFetchResult.Unchanged>(again);
        Assert.Equal(0, Client.ListRemoteCount);
    }

    private int CacheObjects() =>
        Directory.EnumerateFiles(Path.Combine(Root, "client", "cache"), "*", SearchOption.AllDirectories).Count(f => f.Contains("objects"));
}
