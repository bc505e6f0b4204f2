using System.Formats.Tar;
using System.IO.Compression;

namespace Granary.Grains.Artifacts;

/// <summary>
/// Extracts an artifact tar.gz into a new directory without trusting it: entries with absolute paths or <c>..</c>
/// segments, hard links, devices, FIFOs and duplicate paths are refused, symlinks must resolve inside the directory
/// (checked again after every new link, so no later entry can turn an earlier link outward), nothing is written
/// through a symlink, and the entry count and content size are capped. On any refusal the directory is removed.
/// </summary>
public sealed class ArtifactExtractor(ArtifactLimits limits)
{
    /// <summary>Extracts <paramref name="tarGz"/> into <paramref name="destination"/>, which must not exist or be empty.</summary>
    public Task<ExtractedTree> ExtractAsync(ReadOnlyMemory<byte> tarGz, string destination, CancellationToken cancellationToken = default) =>
        ExtractAsync(new MemoryStream(tarGz.ToArray(), writable: false), destination, cancellationToken);

    /// <summary>Extracts the tar.gz read from <paramref name="tarGz"/> into <paramref name="destination"/>, which must not exist or be empty.</summary>
    public async Task<ExtractedTree> ExtractAsync(Stream tarGz, string destination, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(destination);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new ArgumentException($"The extraction directory '{destination}' is not empty.", nameof(destination));
        }

        var created = !Directory.Exists(root);
        Directory.CreateDirectory(root);
        try
        {
            var extraction = await ReadEntriesAsync(tarGz, new DiskTree(root), cancellationToken);
            return new ExtractedTree(root, extraction.Files, extraction.Bytes);
        }
        catch
        {
            DeleteQuietly(root, created);
            throw;
        }
    }

    /// <summary>
    /// Reads <paramref name="tarGz"/> into memory with exactly the checks and limits of extraction, so renderers
    /// that understand the tree need no disk at all.
    /// </summary>
    public async Task<ArtifactFiles> ReadAsync(ReadOnlyMemory<byte> tarGz, CancellationToken cancellationToken = default)
    {
        var tree = new MemoryTree();
        var extraction = await ReadEntriesAsync(new MemoryStream(tarGz.ToArray(), writable: false), tree, cancellationToken);
        return new ArtifactFiles(tree.Files, tree.Directories, tree.Links, extraction.Bytes);
    }

    private async Task<Extraction> ReadEntriesAsync(Stream tarGz, ITree tree, CancellationToken cancellationToken)
    {
        // Header bytes are bounded too, so a bomb of huge long-name headers cannot exhaust memory.
        var ceiling = limits.MaxBytes + (long)limits.MaxEntries * 1024 + 1024L * 1024;
        await using var gzip = new GZipStream(tarGz, CompressionMode.Decompress, leaveOpen: true);
        await using var bounded = new BoundedReadStream(gzip, ceiling);
        await using var reader = new TarReader(bounded);
        var extraction = new Extraction(tree, limits);
        while (await NextAsync(reader, cancellationToken) is { } entry)
        {
            await extraction.AddAsync(entry, cancellationToken);
        }

        return extraction;
    }

    private static async Task<TarEntry?> NextAsync(TarReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken);
        }
        catch (Exception error) when (error is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ArtifactException($"The artifact is not a valid tar.gz: {error.Message}", inner: error);
        }
    }

    private static void DeleteQuietly(string root, bool created)
    {
        try
        {
            if (created)
            {
                Directory.Delete(root, recursive: true);
            }
            else
            {
                foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos())
                {
                    if (entry is DirectoryInfo directory && entry.LinkTarget is null)
                    {
                        directory.Delete(recursive: true);
                    }
                    else
                    {
                        entry.Delete();
                    }
                }
            }
        }
        catch (IOException)
        {
        }
    }

    private sealed class Extraction(ITree tree, ArtifactLimits limits)
    {
        private const int MaxSymlinkHops = 40;

        // Links created so far (relative path → target), resolved virtually so nothing is ever written through one.
        private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private int _entries;

        public int Files { get; private set; }

        public long Bytes { get; private set; }

        public async Task AddAsync(TarEntry entry, CancellationToken cancellationToken)
        {
            var name = entry.Name;
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
            {
                return;
            }

            if (++_entries > limits.MaxEntries)
            {
                throw Refuse(name, $"the artifact has more than {limits.MaxEntries} entries");
            }

            var path = CheckPath(name);
            if (path.Length == 0)
            {
                if (entry.EntryType == TarEntryType.Directory)
                {
                    return; // "./": the root itself, as Flux's archives start with it.
                }

                throw Refuse(name, "the entry has no name");
            }

            var key = string.Join('/', path);
            if (!_seen.Add(key))
            {
                throw Refuse(name, "the path appears twice in the archive");
            }

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    CreateDirectory(name, Resolve(name, path, followLast: true));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    await WriteFileAsync(entry, name, path, cancellationToken);
                    break;
                case TarEntryType.SymbolicLink:
                    AddLink(name, path, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    throw Refuse(name, "hard links are not allowed");
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                    throw Refuse(name, "device files are not allowed");
                case TarEntryType.Fifo:
                    throw Refuse(name, "FIFOs are not allowed");
                default:
                    throw Refuse(name, $"entries of type {entry.EntryType} are not allowed");
            }
        }

        private string[] CheckPath(string name)
        {
            if (name.Length > limits.MaxPathLength)
            {
                throw Refuse(name[..80] + "…", $"the path is longer than {limits.MaxPathLength} characters");
            }

            if (name.Contains('\0') || name.Contains('\\'))
            {
                throw Refuse(name, "the path contains a NUL or backslash character");
            }

            if (name.StartsWith('/') || (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0])))
            {
                throw Refuse(name, "absolute paths are not allowed");
            }

            var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
            if (parts.Contains(".."))
            {
                throw Refuse(name, "'..' path segments are not allowed");
            }

            return parts;
        }

        private async Task WriteFileAsync(TarEntry entry, string name, string[] path, CancellationToken cancellationToken)
        {
            Bytes += entry.Length;
            if (Bytes > limits.MaxBytes)
            {
                throw Refuse(name, $"the artifact holds more than {limits.MaxBytes} bytes");
            }

            var parent = Resolve(name, path[..^1], followLast: true);
            CreateDirectory(name, parent);
            var executable = (entry.Mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
            try
            {
                await tree.WriteFileAsync([.. parent, path[^1]], entry.DataStream, entry.Length, executable, cancellationToken);
            }
            catch (IOException error) when (error is not EndOfStreamException)
            {
                throw Refuse(name, $"it collides with an earlier entry or cannot be written ({error.Message})");
            }

            Files++;
        }

        private void AddLink(string name, string[] path, string target)
        {
            if (string.IsNullOrEmpty(target) || target.StartsWith('/') || target.Contains('\0'))
            {
                throw Refuse(name, $"symlink target '{target}' is absolute or empty; only relative links inside the artifact are allowed");
            }

            var parent = Resolve(name, path[..^1], followLast: true);
            CreateDirectory(name, parent);
            var key = string.Join('/', [.. parent, path[^1]]);
            if (_links.ContainsKey(key) || tree.Exists([.. parent, path[^1]]))
            {
                throw Refuse(name, "it collides with an earlier entry");
            }

            _links[key] = target;

            // A new link can change where earlier links lead (a link through it), so every link is checked again.
            foreach (var (link, linkTarget) in _links)
            {
                var linkParent = link.Split('/')[..^1];
                Resolve(link == key ? name : link, [.. linkParent, .. linkTarget.Split('/')], followLast: true, what: $"symlink target '{linkTarget}'");
            }

            tree.CreateLink([.. parent, path[^1]], target);
        }

        private void CreateDirectory(string name, string[] resolved)
        {
            try
            {
                tree.CreateDirectory(resolved);
            }
            catch (IOException error)
            {
                throw Refuse(name, $"its directory cannot be created ({error.Message})");
            }
        }

        // Resolves a path inside the root through the links created so far; refuses one that leaves the root.
        private string[] Resolve(string name, string[] path, bool followLast, string what = "the path")
        {
            var pending = new Stack<string>(path.Reverse());
            var resolved = new List<string>();
            var hops = 0;
            while (pending.Count > 0)
            {
                var component = pending.Pop();
                if (component is "" or ".")
                {
                    continue;
                }

                if (component == "..")
                {
                    if (resolved.Count == 0)
                    {
                        throw Refuse(name, $"{what} resolves outside the artifact");
                    }

                    resolved.RemoveAt(resolved.Count - 1);
                    continue;
                }

                resolved.Add(component);
                if ((pending.Count > 0 || followLast) && _links.TryGetValue(string.Join('/', resolved), out var target))
                {
                    if (++hops > MaxSymlinkHops)
                    {
                        throw Refuse(name, $"{what} loops through symlinks");
                    }

                    resolved.RemoveAt(resolved.Count - 1);
                    foreach (var part in target.Split('/').Reverse())
                    {
                        pending.Push(part);
                    }
                }
            }

            return resolved.ToArray();
        }

        private static ArtifactException Refuse(string entry, string problem) =>
            new($"Artifact entry '{entry}' was refused: {problem}.", entry);
    }

    // Stops reading after a fixed number of bytes, so a decompression bomb fails instead of filling memory or disk.
    private sealed class BoundedReadStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            if (_read > limit)
            {
                throw new ArtifactException($"The artifact expands to more than {limit} bytes; it is refused as too large.");
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
