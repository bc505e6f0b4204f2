using System.Formats.Tar;
using System.IO.Compression;
using Granary.EventStore.Blobs;

namespace Granary.Grains.Artifacts;

/// <summary>
/// Packs a directory tree into a deterministic tar.gz, so one tree always gives the same bytes and digest:
/// entries depth-first with names in ordinal order (a directory before its contents), GNU tar headers, modification
/// time 0 (1970-01-01), uid/gid 0 with no user or group names, and Flux's modes (files 0600, executables 0700,
/// directories 0750); gzip with no file name and time 0. Only regular files and directories are stored: as in Flux, a
/// symlink whose target stays inside the tree is replaced by a copy of what it points to, and one that leaves the
/// tree, dangles or loops is left out.
/// </summary>
public sealed class ArtifactBuilder(ArtifactLimits limits)
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode ExecutableMode = FileMode | UnixFileMode.UserExecute;
    private const UnixFileMode DirectoryMode = ExecutableMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Packs <paramref name="root"/> minus what <paramref name="ignore"/> excludes.</summary>
    public PackedTree Pack(string root, SourceIgnore ignore, CancellationToken cancellationToken = default)
    {
        var realRoot = TreePaths.RealPath(Path.GetFullPath(root))
            ?? throw new ArtifactException($"The directory '{root}' to pack does not exist.");
        if (!Directory.Exists(realRoot))
        {
            throw new ArtifactException($"'{root}' is not a directory.");
        }

        var output = new MemoryStream();
        var packing = new Packing(limits, ignore, realRoot, cancellationToken);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true))
        {
            packing.AddDirectory(tar, realRoot, [], [realRoot]);
        }

        var bytes = output.ToArray();
        return new PackedTree(bytes, BlobStore.DigestOf(bytes), packing.Files, packing.Skipped);
    }

    private sealed class Packing(ArtifactLimits limits, SourceIgnore ignore, string realRoot, CancellationToken cancellationToken)
    {
        private int _entries;
        private long _bytes;

        public int Files { get; private set; }

        public List<string> Skipped { get; } = [];

        public void AddDirectory(TarWriter tar, string directory, string[] relative, HashSet<string> openDirectories)
        {
            var names = new DirectoryInfo(directory).EnumerateFileSystemInfos().Select(i => i.Name).Order(StringComparer.Ordinal).ToList();
            foreach (var name in names)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var physical = Path.Combine(directory, name);
                string[] path = [.. relative, name];
                var entryName = string.Join('/', path);
                var content = new FileInfo(physical);
                var real = physical;
                if (content.LinkTarget is not null)
                {
                    var target = TreePaths.RealPath(physical);
                    if (target is null || !TreePaths.IsInside(target, realRoot))
                    {
                        Skipped.Add(entryName);
                        continue;
                    }

                    real = target;
                }

                var isDirectory = Directory.Exists(real);
                var ignored = ignore.IsIgnored(path, isDirectory);
                if (isDirectory)
                {
                    // A symlinked directory that contains itself would never end.
                    if (openDirectories.Contains(real))
                    {
                        Skipped.Add(entryName);
                        continue;
                    }

                    if (!ignored)
                    {
                        Write(tar, new GnuTarEntry(TarEntryType.Directory, entryName + "/") { Mode = DirectoryMode }, entryName);
                    }

                    // Like Flux, look inside ignored directories: a later '!' pattern may re-include a file.
                    openDirectories.Add(real);
                    AddDirectory(tar, real, path, openDirectories);
                    openDirectories.Remove(real);
                }
                else if (!ignored && File.Exists(real))
                {
                    var file = new FileInfo(real);
                    _bytes += file.Length;
                    if (_bytes > limits.MaxBytes)
                    {
                        throw new ArtifactException($"The tree holds more than {limits.MaxBytes} bytes (at '{entryName}'); the artifact would be too large.", entryName);
                    }

                    var executable = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(real) & AnyExecute) != 0;
                    using var data = file.OpenRead();
                    Write(tar, new GnuTarEntry(TarEntryType.RegularFile, entryName) { Mode = executable ? ExecutableMode : FileMode, DataStream = data }, entryName);
                    Files++;
                }
            }
        }

        private void Write(TarWriter tar, GnuTarEntry entry, string entryName)
        {
            if (++_entries > limits.MaxEntries)
            {
                throw new ArtifactException($"The tree holds more than {limits.MaxEntries} entries (at '{entryName}'); the artifact would be too large.", entryName);
            }

            entry.ModificationTime = DateTimeOffset.UnixEpoch;
            entry.Uid = 0;
            entry.Gid = 0;
            entry.UserName = "";
            entry.GroupName = "";
            tar.WriteEntry(entry);
        }
    }
}
