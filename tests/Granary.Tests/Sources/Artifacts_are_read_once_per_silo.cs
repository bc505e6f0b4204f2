using Granary.Grains.Artifacts;

namespace Granary.Tests.Sources;

public sealed class Artifacts_are_read_once_per_silo : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("granary-artifact-cache-").FullName;
    private readonly ArtifactLimits _limits = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Concurrent_builds_of_one_digest_load_it_once()
    {
        var packed = Pack("one", 1_000);
        var cache = new ArtifactCache(new ArtifactExtractor(_limits));
        var loads = 0;

        var all = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cache.GetAsync(packed.Digest, async _ =>
        {
            Interlocked.Increment(ref loads);
            await Task.Yield();
            return packed.Bytes;
        }, CancellationToken.None)));

        Assert.Equal(1, loads);
        Assert.All(all, files => Assert.Same(all[0], files));
        Assert.Equal("x: 1\n", System.Text.Encoding.UTF8.GetString(all[0].Files["one/file.yaml"]));
    }

    [Fact]
    public async Task The_least_recently_used_artifact_leaves_when_the_budget_is_exceeded()
    {
        var a = Pack("a", 40_000);
        var b = Pack("b", 40_000);
        var c = Pack("c", 40_000);
        var cache = new ArtifactCache(new ArtifactExtractor(_limits), maxBytes: 100_000);
        var loads = new Dictionary<string, int>();
        Task<ArtifactFiles> Get(Granary.Grains.Artifacts.PackedTree tree) => cache.GetAsync(tree.Digest, _ =>
        {
            loads[tree.Digest] = loads.GetValueOrDefault(tree.Digest) + 1;
            return Task.FromResult(tree.Bytes);
        }, CancellationToken.None);

        await Get(a);
        await Get(b);
        await Get(a); // a is now the most recent
        await Get(c); // over budget: b leaves
        await Get(a);
        await Get(b);

        Assert.Equal(1, loads[a.Digest]);
        Assert.Equal(2, loads[b.Digest]);
    }

    [Fact]
    public async Task A_refused_artifact_is_not_cached()
    {
        var cache = new ArtifactCache(new ArtifactExtractor(_limits));
        var loads = 0;
        Task<byte[]> Garbage(CancellationToken _)
        {
            loads++;
            return Task.FromResult(new byte[] { 1, 2, 3 });
        }

        await Assert.ThrowsAsync<ArtifactException>(() => cache.GetAsync("sha256:bad", Garbage, CancellationToken.None));
        await Assert.ThrowsAsync<ArtifactException>(() => cache.GetAsync("sha256:bad", Garbage, CancellationToken.None));

        Assert.Equal(2, loads);
    }

    private PackedTree Pack(string name, int size)
    {
        var source = Path.Combine(_root, name + "-src");
        Directory.CreateDirectory(Path.Combine(source, name));
        File.WriteAllText(Path.Combine(source, name, "file.yaml"), "x: 1\n");
        File.WriteAllText(Path.Combine(source, name, "padding.txt"), new string('p', size));
        return new ArtifactBuilder(_limits).Pack(source, SourceIgnore.ForTree(source, null));
    }
}
