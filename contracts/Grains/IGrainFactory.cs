namespace Granary.Contracts.Grains;

/// <summary>Hands out references to grains. A reference is an identity, not an object: calling it activates the grain wherever the runtime places it.</summary>
public interface IGrainFactory
{
    /// <summary>A reference to the grain of interface <typeparamref name="TGrainInterface"/> with key <paramref name="key"/>.</summary>
    TGrainInterface Get<TGrainInterface>(string key) where TGrainInterface : IGrain;

    /// <summary>
    /// A reference to grain <paramref name="id"/> through <typeparamref name="TGrainInterface"/>, an interface its class
    /// implements besides its own (e.g. a source tells Kustomizations and HelmReleases alike through one interface).
    /// </summary>
    TGrainInterface Get<TGrainInterface>(GrainId id) where TGrainInterface : IGrain;
}
