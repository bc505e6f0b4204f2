namespace Granary.Grains.Artifacts;

/// <summary>
/// A packed source revision: Flux's revision string (e.g. <c>main@sha1:&lt;40 hex&gt;</c>), the commit, the
/// <c>sha256:&lt;hex&gt;</c> digest of <see cref="Bytes"/> (what the blob store files it under), its size and the
/// deterministic tar.gz itself.
/// </summary>
public sealed record Artifact(string Revision, string Commit, string Digest, long Size, byte[] Bytes)
{
    /// <summary>Describes the artifact without its bytes.</summary>
    public override string ToString() => $"Artifact {{ Revision = {Revision}, Digest = {Digest}, Size = {Size} }}";
}
