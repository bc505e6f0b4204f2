namespace Granary.Contracts.Grains;

/// <summary>The stable kind name of a grain interface, used in identities, event streams and reminders. Defaults to the interface name without its leading I and trailing Grain, lower-cased.</summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class GrainKindAttribute(string kind) : Attribute
{
    /// <summary>The kind name.</summary>
    public string Kind { get; } = kind;
}
