using System.Reflection;
using Granary.Contracts.Events;
using Granary.EventStore.Serialization;

namespace Granary.Runtime;

/// <summary>Registers event records by their <see cref="EventTypeAttribute"/>.</summary>
public static class EventTypeRegistration
{
    /// <summary>Registers every type in <paramref name="assembly"/> that carries <see cref="EventTypeAttribute"/>.</summary>
    public static EventTypeRegistry RegisterAnnotated(this EventTypeRegistry registry, Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (type.GetCustomAttribute<EventTypeAttribute>() is { } attribute)
            {
                registry.Register(type, attribute.Name, attribute.SchemaVersion);
            }
        }

        return registry;
    }
}
