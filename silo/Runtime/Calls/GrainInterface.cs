using System.Reflection;
using Granary.Contracts.Grains;

namespace Granary.Runtime.Calls;

/// <summary>A grain interface with its kind name and compiled methods (its own and those it inherits).</summary>
internal sealed class GrainInterface
{
    private GrainInterface(Type type, string kind, Dictionary<MethodInfo, GrainMethod> methods)
    {
        Type = type;
        Kind = kind;
        Methods = methods;
    }

    public Type Type { get; }

    public string Kind { get; }

    public IReadOnlyDictionary<MethodInfo, GrainMethod> Methods { get; }

    public static GrainInterface Create(Type type)
    {
        if (!type.IsInterface || !typeof(IGrain).IsAssignableFrom(type))
        {
            throw new InvalidOperationException($"{type.Name} is not a grain interface; grain interfaces are interfaces that extend IGrain.");
        }

        var methods = new[] { type }.Concat(type.GetInterfaces())
            .Where(i => i != typeof(IGrain))
            .SelectMany(i => i.GetMethods())
            .ToDictionary(m => m, GrainMethod.Create);
        return new GrainInterface(type, KindOf(type), methods);
    }

    /// <summary>The kind name: <see cref="GrainKindAttribute"/>, or the interface name without I…Grain, lower-cased.</summary>
    public static string KindOf(Type type)
    {
        if (type.GetCustomAttribute<GrainKindAttribute>() is { } attribute)
        {
            return attribute.Kind;
        }

        var name = type.Name;
        if (name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]))
        {
            name = name[1..];
        }

        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > "Grain".Length)
        {
            name = name[..^"Grain".Length];
        }

        return name.ToLowerInvariant();
    }
}
