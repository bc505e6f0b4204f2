using System.Collections.Concurrent;
using Granary.Contracts.Grains;

namespace Granary.Runtime.Activations;

/// <summary>The activations living in this silo: at most one per grain identity.</summary>
internal sealed class ActivationDirectory
{
    private readonly ConcurrentDictionary<GrainId, Activation> _activations = new();

    public int Count => _activations.Count;

    public IEnumerable<Activation> All => _activations.Values;

    public Activation GetOrAdd(GrainId id, Func<GrainId, Activation> create) => _activations.GetOrAdd(id, create);

    public bool TryGet(GrainId id, out Activation activation) => _activations.TryGetValue(id, out activation!);

    /// <summary>Removes exactly this activation (not a newer one for the same grain).</summary>
    public void Remove(Activation activation) => _activations.TryRemove(new KeyValuePair<GrainId, Activation>(activation.Id, activation));
}
