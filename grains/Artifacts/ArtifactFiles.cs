namespace Granary.Grains.Artifacts;

/// <summary>
/// An artifact read into memory (with the extractor's checks): file contents by '/'-separated relative path, the
/// directories, and the symlinks with their targets (kept as links, never followed here).
/// </summary>
public sealed class ArtifactFiles(IReadOnlyDictionary<string, byte[]> files, IReadOnlySet<string> directories, IReadOnlyDictionary<string, string> links, long bytes)
{
    /// <summary>File contents by relative path (no leading './').</summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; } = files;

    /// <summary>Every directory, the root as the empty string.</summary>
    public IReadOnlySet<string> Directories { get; } = directories;

    /// <summary>Symlinks by relative path, with their (relative, checked) targets.</summary>
    public IReadOnlyDictionary<string, string> Links { get; } = links;

    /// <summary>The total size of the file contents.</summary>
    public long Bytes { get; } = bytes;

    /// <summary>Whether any symlink is at or below <paramref name="directory"/>, or on the way to it.</summary>
    public bool HasLinksAround(string directory) => Links.Keys.Any(link =>
        directory.Length == 0 || IsBelow(link, directory) || IsBelow(directory, link));

    /// <summary>The files at or below <paramref name="directory"/> (the root is the empty string).</summary>
    public IEnumerable<string> FilesBelow(string directory) => Files.Keys.Where(path => directory.Length == 0 || IsBelow(path, directory));

    private static bool IsBelow(string path, string directory) =>
        path == directory || (path.Length > directory.Length && path[directory.Length] == '/' && path.StartsWith(directory, StringComparison.Ordinal));
}
