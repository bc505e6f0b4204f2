namespace Granary.Grains.Artifacts;

/// <summary>
/// One entry of a GitRepository's <c>spec.include</c>: another source's artifact, whose <see cref="FromPath"/>
/// subtree (default: all of it) is copied to <see cref="ToPath"/> in the including tree before it is packed.
/// </summary>
/// <param name="Name">The included GitRepository's name (for messages, and the default <see cref="ToPath"/>).</param>
/// <param name="Artifact">The included artifact's tar.gz bytes.</param>
/// <param name="FromPath">The directory inside the included artifact to copy; empty or null for all of it.</param>
/// <param name="ToPath">Where to copy it in the including tree; empty or null for <paramref name="Name"/>.</param>
public sealed record ArtifactInclude(string Name, byte[] Artifact, string? FromPath = null, string? ToPath = null)
{
    /// <summary>The included artifact's digest, when known (it identifies the include in fingerprints).</summary>
    public string? Digest { get; init; }

    /// <summary>
    /// Extracts the included artifact safely and copies its <see cref="FromPath"/> subtree into
    /// <paramref name="root"/>/<see cref="ToPath"/>, replacing files of the same name. Paths that would leave either
    /// tree are refused with an <see cref="ArtifactException"/>.
    /// </summary>
    public async Task CopyIntoAsync(string root, ArtifactExtractor extractor, string scratchDirectory, CancellationToken cancellationToken)
    {
        var target = Join(root, string.IsNullOrEmpty(ToPath) ? Name : ToPath, "toPath");
        var extracted = Path.Combine(scratchDirectory, "include-" + Path.GetRandomFileName());
        try
        {
            await extractor.ExtractAsync(Artifact, extracted, cancellationToken);
            var source = Join(extracted, FromPath ?? "", "fromPath");
            if (!Directory.Exists(source))
            {
                throw new ArtifactException($"spec.include '{Name}': fromPath '{FromPath}' is not a directory in the included artifact.");
            }

            Copy(source, target, cancellationToken);
        }
        finally
        {
            if (Directory.Exists(extracted))
            {
                Directory.Delete(extracted, recursive: true);
            }
        }
    }

    private string Join(string root, string relative, string field)
    {
        var parts = relative.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
        {
            throw new ArtifactException($"spec.include '{Name}': {field} '{relative}' leaves the tree; use a path inside it without '..'.");
        }

        return parts.Length == 0 ? root : Path.Combine(root, Path.Combine(parts));
    }

    // Extracted trees hold only files, directories and links checked to stay inside; links are copied as links.
    private static void Copy(string source, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(target);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var destination = Path.Combine(target, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                if (File.Exists(destination) || Directory.Exists(destination) || new FileInfo(destination).LinkTarget is not null)
                {
                    File.Delete(destination);
                }

                File.CreateSymbolicLink(destination, link);
            }
            else if (entry is DirectoryInfo directory)
            {
                Copy(directory.FullName, destination, cancellationToken);
            }
            else
            {
                File.Copy(entry.FullName, destination, overwrite: true);
            }
        }
    }
}
