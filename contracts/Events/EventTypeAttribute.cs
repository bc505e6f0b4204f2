namespace Granary.Contracts.Events;

/// <summary>The stable name and schema version under which an event record is stored. Never derived from the CLR type name.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventTypeAttribute(string name, int schemaVersion = 1) : Attribute
{
    /// <summary>The stable name, e.g. <c>kustomization.applied</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The payload's schema version; bump it (with an upcaster) when the shape changes.</summary>
    public int SchemaVersion { get; } = schemaVersion;
}
