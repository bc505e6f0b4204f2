using System.Formats.Tar;
using System.IO.Compression;
using Granary.Grains.Artifacts;
using Granary.Grains.Sources.Git;

namespace Granary.Tests.Sources;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class Artifacts_are_deterministic : GitSourceTestBase
{
    [Fact]
    public async Task One_commit_gives_one_digest_whoever_fetches_it_and_wherever()
    {
        var repository = NewRepository();
        repository.Commit(new Dictionary<string, string>
        {
            ["deploy/app.yaml"] = "kind: Deployment\n",
            ["deploy/base/kustomization.yaml"] = "resources: []\n",
            ["README.md"] = "hello\n",
            ["scripts/run.sh"] = "#!/bin/sh\n",
        });
        repository.Git("update-index", "--chmod=+x", "scripts/run.sh");
        repository.Commit(new Dictionary<string, string>(), "executable");
        var request = new GitSourceRequest(repository.Url);
        request = request with { Ref = new GitRef(Branch: "main") };

        var first = await FetchNewAsync(request);
        var again = await FetchNewAsync(request);
        var elsewhere = await FetchNewAsync(request, NewSource(NewClient("other-client"), "other-source"));

        Assert.Equal(first.Digest, again.Digest);
        Assert.Equal(first.Digest, elsewhere.Digest);
        Assert.Equal(first.Bytes, elsewhere.Bytes);
        Assert.Equal(first.Bytes.LongLength, first.Size);
        Assert.Equal(Granary.EventStore.Blobs.BlobStore.DigestOf(first.Bytes), first.Digest);
    }

    [Fact]
    public async Task Entries_are_sorted_with_fixed_times_owners_and_modes()
    {
        var tree = Path.Combine(Root, "tree");
        Write(tree, "b.yaml", "b");
        Write(tree, "a/z.yaml", "z");
        Write(tree, "a.txt", "a");
        Write(tree, "bin/tool", "#!/bin/sh");
        File.SetUnixFileMode(Path.Combine(tree, "bin/tool"), (UnixFileMode)0b111_101_101);
        File.SetLastWriteTimeUtc(Path.Combine(tree, "b.yaml"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var packed = new ArtifactBuilder(Limits).Pack(tree, SourceIgnore.WithDefaults([]));
        var entries = await ReadEntriesAsync(packed.Bytes);

        Assert.Equal(["a/", "a/z.yaml", "a.txt", "b.yaml", "bin/", "bin/tool"], entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.Equal(DateTimeOffset.UnixEpoch, e.ModificationTime));
        Assert.All(entries.Cast<PosixTarEntry>(), e => Assert.Equal((0, 0, "", ""), (e.Uid, e.Gid, e.UserName, e.GroupName)));
        Assert.Equal((UnixFileMode)0b111_101_000, entries.Single(e => e.Name == "a/").Mode);
        Assert.Equal((UnixFileMode)0b110_000_000, entries.Single(e => e.Name == "b.yaml").Mode);
        Assert.Equal((UnixFileMode)0b111_000_000, entries.Single(e => e.Name == "bin/tool").Mode);
        // gzip header: no file name, modification time 0.
        Assert.Equal(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 }, packed.Bytes[..8]);

        // The same content in another place, written at another time, packs to the same bytes.
        var copy = Path.Combine(Root, "elsewhere", "copy");
        Write(copy, "bin/tool", "#!/bin/sh");
        File.SetUnixFileMode(Path.Combine(copy, "bin/tool"), (UnixFileMode)0b111_000_000);
        Write(copy, "a.txt", "a");
        Write(copy, "b.yaml", "b");
        Write(copy, "a/z.yaml", "z");
        Assert.Equal(packed.Bytes, new ArtifactBuilder(Limits).Pack(copy, SourceIgnore.WithDefaults([])).Bytes);
    }

    [Fact]
    public async Task Symlinks_inside_the_tree_are_stored_as_copies_and_others_are_left_out()
    {
        var tree = Path.Combine(Root, "tree");
        Write(tree, "base/app.yaml", "app");
        Write(Root, "secret.txt", "outside");
        File.CreateSymbolicLink(Path.Combine(tree, "link.yaml"), "base/app.yaml");
        File.CreateSymbolicLink(Path.Combine(tree, "overlay"), "base");
        File.CreateSymbolicLink(Path.Combine(tree, "escape.txt"), "../secret.txt");
        File.CreateSymbolicLink(Path.Combine(tree, "dangling"), "nowhere");
        File.CreateSymbolicLink(Path.Combine(tree, "base", "loop"), "..");

        var packed = new ArtifactBuilder(Limits).Pack(tree, SourceIgnore.WithDefaults([]));
        var entries = await ReadEntriesAsync(packed.Bytes);

        Assert.Equal(["base/", "base/app.yaml", "link.yaml", "overlay/", "overlay/app.yaml"], entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.True(e.EntryType is TarEntryType.RegularFile or TarEntryType.Directory));
        Assert.Equal(["base/loop", "dangling", "escape.txt", "overlay/loop"], packed.SkippedSymlinks.Order(StringComparer.Ordinal));
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    internal static async Task<List<TarEntry>> ReadEntriesAsync(byte[] tarGz)
    {
        var entries = new List<TarEntry>();
        await using var reader = new TarReader(new GZipStream(new MemoryStream(tarGz), CompressionMode.Decompress));
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }
}
