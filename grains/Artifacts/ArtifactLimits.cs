namespace Granary.Grains.Artifacts;

/// <summary>Bounds on what an artifact may hold, checked when building and when extracting one.</summary>
public sealed record ArtifactLimits
{
    /// <summary>The most bytes of file content (uncompressed) an artifact may hold.</summary>
    public long MaxBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>The most entries (files, directories, links) an artifact may hold.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>The longest entry path accepted, in characters.</summary>
    public int MaxPathLength { get; init; } = 4096;
}
