namespace Granary.Grains.Artifacts;

/// <summary>Where an artifact was extracted, how many files it held and their total size.</summary>
public sealed record ExtractedTree(string Root, int Files, long Bytes);
