using System.Collections.Concurrent;
using Granary.Contracts.Grains;
using Granary.Runtime.Calls;

namespace Granary.Runtime;

/// <summary>Which grain class serves which grain interface, and how to create it.</summary>
public sealed class GrainRegistry
{
    private readonly ConcurrentDictionary<Type, GrainInterface> _interfaces = new();
    private readonly ConcurrentDictionary<string, Func<Grain>> _factories = new(StringComparer.Ordinal);

    /// <summary>Serves <typeparamref name="TInterface"/> with <typeparamref name="TGrain"/>, created with its parameterless constructor.</summary>
    public GrainRegistry Add<TInterface, TGrain>()
        where TInterface : IGrain
        where TGrain : Grain, TInterface, new() => Add<TInterface, TGrain>(static () => new TGrain());

    /// <summary>Serves <typeparamref name="TInterface"/> with grains made by <paramref name="factory"/> (which may capture dependencies).</summary>
    public GrainRegistry Add<TInterface, TGrain>(Func<TGrain> factory)
        where TInterface : IGrain
        where TGrain : Grain, TInterface
    {
        var grainInterface = Interface(typeof(TInterface));
        if (!_factories.TryAdd(grainInterface.Kind, factory))
        {
            throw new InvalidOperationException($"Grain kind '{grainInterface.Kind}' ({typeof(TInterface).Name}) is already registered; each interface has one grain class.");
        }

        return this;
    }

    /// <summary>The kinds registered.</summary>
    public IEnumerable<string> Kinds => _factories.Keys;

    internal GrainInterface Interface(Type type) => _interfaces.GetOrAdd(type, GrainInterface.Create);

    internal Grain CreateGrain(string kind) => _factories.TryGetValue(kind, out var factory)
        ? factory()
        : throw new InvalidOperationException($"No grain class is registered for grain kind '{kind}'; add it with SiloOptions.Grains.Add<TInterface, TGrain>().");
}
