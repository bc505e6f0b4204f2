using System.Formats.Tar;
using System.IO.Compression;
using Granary.Grains.Artifacts;

namespace Granary.Tests.Sources;

/// <summary>The same hostile archives are refused whether an artifact is extracted to disk or read into memory.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class Hostile_archives_are_refused : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "granary-extract-test-" + Path.GetRandomFileName());

    protected ArtifactExtractor Extractor { get; } = new(new ArtifactLimits { MaxBytes = 1024 * 1024, MaxEntries = 50 });

    protected string Target => Path.Combine(_root, "out");

    /// <summary>Unpacks the archive the way the subclass tests (into <paramref name="target"/> on disk, or into memory).</summary>
    protected abstract Task UnpackAsync(byte[] archive, string target);

    [Theory]
    [InlineData("../evil.yaml", "'..' path segments")]
    [InlineData("a/../../evil.yaml", "'..' path segments")]
    [InlineData("/etc/evil.yaml", "absolute paths")]
    [InlineData("C:/evil.yaml", "absolute paths")]
    public async Task Entries_that_leave_the_directory_are_refused(string name, string problem)
    {
        var archive = Archive(FileEntry("ok.yaml"), FileEntry(name));

        var error = await Assert.ThrowsAsync<ArtifactException>(() => UnpackAsync(archive, Target));

        Assert.Equal(name, error.Entry);
        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.False(Directory.Exists(Target));
        Assert.False(System.IO.File.Exists(Path.Combine(_root, "evil.yaml")));
    }

    [Theory]
    [InlineData(TarEntryType.HardLink, "hard links")]
    [InlineData(TarEntryType.CharacterDevice, "device files")]
    [InlineData(TarEntryType.BlockDevice, "device files")]
    [InlineData(TarEntryType.Fifo, "FIFOs")]
    public async Task Links_devices_and_fifos_are_refused(TarEntryType type, string problem)
    {
        var special = new GnuTarEntry(type, "special");
        if (type == TarEntryType.HardLink)
        {
            special.LinkName = "ok.yaml";
        }

        var error = await Assert.ThrowsAsync<ArtifactException>(() => UnpackAsync(Archive(FileEntry("ok.yaml"), special), Target));

        Assert.Equal("special", error.Entry);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../../outside")]
    [InlineData("../../outside")]
    public async Task Symlinks_pointing_outside_are_refused(string target)
    {
        var error = await Assert.ThrowsAsync<ArtifactException>(() => UnpackAsync(Archive(LinkEntry("sub/link", target)), Target));

        Assert.Equal("sub/link", error.Entry);
        Assert.Contains("symlink target", error.Message);
    }

    [Fact]
    public async Task A_link_cannot_be_turned_outward_by_a_later_link()
    {
        // "a" is harmless while "b" does not exist; once "b" points at the root, "a" would lead to its parent.
        var archive = Archive(LinkEntry("a", "b/../x"), LinkEntry("b", "."));

        var error = await Assert.ThrowsAsync<ArtifactException>(() => UnpackAsync(archive, Target));

        Assert.Contains("resolves outside the artifact", error.Message);
    }

    [Fact]
    public async Task Files_are_never_written_through_a_link()
    {
        var archive = Archive(DirectoryEntry("real/"), LinkEntry("alias", "real"), FileEntry("alias/config.yaml"), FileEntry("real/config.yaml"));

        var error = await Assert.ThrowsAsync<ArtifactException>(() => UnpackAsync(archive, Target));

        Assert.Equal("real/config.yaml", error.Entry);
        Assert.Contains("collides", error.Message);
    }

    [Fact]
    public async Task Duplicate_paths_are_refused()
    {
        var error = await Assert.ThrowsAsync<ArtifactException>(() => UnpackAsync(Archive(FileEntry("a.yaml"), FileEntry("./a.yaml")), Target));

        Assert.Contains("appears twice", error.Message);
    }

    [Fact]
    public async Task Too_many_entries_or_bytes_are_refused()
    {
        var many = Archive(Enumerable.Range(0, 51).Select(i => FileEntry($"f{i}.yaml")).ToArray());
        var entries = await Assert.ThrowsAsync<ArtifactException>(() => UnpackAsync(many, Target));
        Assert.Contains("more than 50 entries", entries.Message);

        // 8 MiB of zeros compresses to a few KiB: a small bomb.
        var bomb = Archive(FileEntry("zeros.bin", new byte[8 * 1024 * 1024]));
        Assert.True(bomb.Length < 64 * 1024);
        var bytes = await Assert.ThrowsAsync<ArtifactException>(() => UnpackAsync(bomb, Path.Combine(_root, "bomb")));
        Assert.Contains("more than 1048576 bytes", bytes.Message);
    }

    [Fact]
    public async Task Garbage_is_refused_as_not_a_tar_gz()
    {
        var error = await Assert.ThrowsAsync<ArtifactException>(() => UnpackAsync(new byte[] { 1, 2, 3, 4 }, Target));

        Assert.Contains("not a valid tar.gz", error.Message);
    }

    /// <summary>A tar.gz with a root entry, a file, an inner link and an executable.</summary>
    protected static byte[] WellFormed() => Archive(DirectoryEntry("./"), DirectoryEntry("base/"), FileEntry("base/app.yaml", "kind: Service\n"u8.ToArray()), LinkEntry("overlay/app.yaml", "../base/app.yaml"), FileEntry("bin/run", mode: (UnixFileMode)0b111_000_000));

    protected static GnuTarEntry FileEntry(string name, byte[]? content = null, UnixFileMode mode = (UnixFileMode)0b110_100_100) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content ?? "x: 1\n"u8.ToArray()), Mode = mode };

    protected static GnuTarEntry DirectoryEntry(string name) => new(TarEntryType.Directory, name);

    protected static GnuTarEntry LinkEntry(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };

    protected static byte[] Archive(params TarEntry[] entries)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                tar.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        if (System.IO.Directory.Exists(_root))
        {
            System.IO.Directory.Delete(_root, recursive: true);
        }
    }
}

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class Hostile_archives_are_refused_on_disk : Hostile_archives_are_refused
{
    protected override Task UnpackAsync(byte[] archive, string target) => Extractor.ExtractAsync(archive, target);

    [Fact]
    public async Task A_well_formed_archive_with_an_inner_link_extracts()
    {
        var tree = await Extractor.ExtractAsync(WellFormed(), Target);

        Assert.Equal(2, tree.Files);
        Assert.Equal("kind: Service\n", System.IO.File.ReadAllText(Path.Combine(Target, "overlay", "app.yaml")));
        Assert.Equal("../base/app.yaml", new FileInfo(Path.Combine(Target, "overlay", "app.yaml")).LinkTarget);
        Assert.NotEqual(UnixFileMode.None, System.IO.File.GetUnixFileMode(Path.Combine(Target, "bin", "run")) & UnixFileMode.UserExecute);
    }
}

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class Hostile_archives_are_refused_in_memory : Hostile_archives_are_refused
{
    protected override Task UnpackAsync(byte[] archive, string target) => Extractor.ReadAsync(archive);

    [Fact]
    public async Task A_well_formed_archive_with_an_inner_link_is_read()
    {
        var files = await Extractor.ReadAsync(WellFormed());

        Assert.Equal(["base/app.yaml", "bin/run"], files.Files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("kind: Service\n", System.Text.Encoding.UTF8.GetString(files.Files["base/app.yaml"]));
        Assert.Equal("../base/app.yaml", files.Links["overlay/app.yaml"]);
        Assert.Contains("overlay", files.Directories);
        Assert.True(files.HasLinksAround("overlay"));
        Assert.False(files.HasLinksAround("base"));
        Assert.False(Directory.Exists(Target));
    }
}
