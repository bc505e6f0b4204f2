namespace Granary.Contracts.Grains;

/// <summary>Hands out references to grains. A reference is an identity, not an object: calling it activates the grain wherever the runtime places it.</summary>
public interface IGrainFactory
{
    /// <summary>A reference to the grain of interface <typeparamref name="TGrainInterface"/> with key <paramref name="key"/>.</summary>
    TGrainInterface Get<TGrainInterface>(string key) where TGrainInterface : IGrain;
}
