namespace Granary.Grains.Artifacts;

/// <summary>
/// Where an extraction writes: a directory on disk or memory. The extractor resolves every path and link itself,
/// so a tree only stores what it is given and reports collisions as <see cref="IOException"/>.
/// </summary>
internal interface ITree
{
    /// <summary>Creates the directory and its parents; fails when a file is in the way.</summary>
    void CreateDirectory(string[] path);

    /// <summary>Creates a new file with <paramref name="length"/> bytes of content; fails when anything exists there.</summary>
    Task WriteFileAsync(string[] path, Stream? content, long length, bool executable, CancellationToken cancellationToken);

    /// <summary>Whether a file, directory or link exists at the path.</summary>
    bool Exists(string[] path);

    /// <summary>Creates a symbolic link (already checked to stay inside the tree).</summary>
    void CreateLink(string[] path, string target);
}

/// <summary>Writes below a root directory, with normal file modes (executable bits kept).</summary>
internal sealed class DiskTree(string root) : ITree
{
    private const UnixFileMode Regular = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Executable = Regular | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public void CreateDirectory(string[] path) => Directory.CreateDirectory(Physical(path));

    public async Task WriteFileAsync(string[] path, Stream? content, long length, bool executable, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = executable ? Executable : Regular;
        }

        await using var file = new FileStream(Physical(path), options);
        if (content is not null)
        {
            await content.CopyToAsync(file, cancellationToken);
        }
    }

    public bool Exists(string[] path)
    {
        var physical = Physical(path);
        return File.Exists(physical) || Directory.Exists(physical) || new FileInfo(physical).LinkTarget is not null;
    }

    public void CreateLink(string[] path, string target) => File.CreateSymbolicLink(Physical(path), target);

    private string Physical(string[] path) => path.Length == 0 ? root : Path.Combine(root, Path.Combine(path));
}

/// <summary>Keeps the tree in memory: file contents by path, directories, and links with their targets.</summary>
internal sealed class MemoryTree : ITree
{
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Directories { get; } = new(StringComparer.Ordinal) { string.Empty };

    public Dictionary<string, string> Links { get; } = new(StringComparer.Ordinal);

    public void CreateDirectory(string[] path)
    {
        for (var depth = 1; depth <= path.Length; depth++)
        {
            var prefix = string.Join('/', path[..depth]);
            if (Files.ContainsKey(prefix) || Links.ContainsKey(prefix))
            {
                throw new IOException($"'{prefix}' is a file, not a directory");
            }

            Directories.Add(prefix);
        }
    }

    public async Task WriteFileAsync(string[] path, Stream? content, long length, bool executable, CancellationToken cancellationToken)
    {
        var key = string.Join('/', path);
        if (Exists(path))
        {
            throw new IOException($"'{key}' already exists");
        }

        var bytes = new byte[length];
        if (content is not null)
        {
            await content.ReadExactlyAsync(bytes, cancellationToken);
        }

        Files[key] = bytes;
    }

    public bool Exists(string[] path)
    {
        var key = string.Join('/', path);
        return Files.ContainsKey(key) || Directories.Contains(key) || Links.ContainsKey(key);
    }

    public void CreateLink(string[] path, string target) => Links[string.Join('/', path)] = target;
}
