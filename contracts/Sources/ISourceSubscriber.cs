using Granary.Contracts.Grains;

namespace Granary.Contracts.Sources;

/// <summary>A grain that consumes a source's artifacts (Kustomization, HelmRelease): told when a new one is stored.</summary>
public interface ISourceSubscriber : IGrain
{
    /// <summary>The source <paramref name="source"/> stored a new artifact.</summary>
    [OneWay]
    Task SourceChangedAsync(GrainId source, SourceArtifact artifact);
}
