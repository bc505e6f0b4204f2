namespace Granary.Grains.Artifacts;

/// <summary>
/// An artifact could not be built or extracted; the message names the entry and what is wrong with it.
/// The Flux reason to report is <see cref="Reason"/> (<c>ArtifactFailed</c>).
/// </summary>
public sealed class ArtifactException(string message, string? entry = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The archive entry (or tree path) at fault, when there is one.</summary>
    public string? Entry { get; } = entry;

    /// <summary>The Flux condition reason: <c>ArtifactFailed</c>.</summary>
    public string Reason => "ArtifactFailed";
}
