namespace Granary.Grains.Artifacts;

/// <summary>The result of packing a tree: the tar.gz bytes, their <c>sha256:</c> digest, and what was left out.</summary>
/// <param name="Bytes">The deterministic tar.gz.</param>
/// <param name="Digest">The digest the blob store files <paramref name="Bytes"/> under.</param>
/// <param name="Files">How many regular files the archive holds.</param>
/// <param name="SkippedSymlinks">Symlinks left out because they leave the tree, dangle or loop (as Flux skips them).</param>
public sealed record PackedTree(byte[] Bytes, string Digest, int Files, IReadOnlyList<string> SkippedSymlinks)
{
    /// <summary>The archive size in bytes.</summary>
    public long Size => Bytes.LongLength;
}
