using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.EventStore.Serialization;

/// <summary>
/// Maps event payload types to stable names with a schema version, and turns stored JSON back into
/// payloads, upcasting old schema versions on the way. CLR type names never reach the database.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly ConcurrentDictionary<Type, EventTypeName> _byType = new();
    private readonly ConcurrentDictionary<string, (Type Type, int SchemaVersion)> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Name, int FromVersion), Func<JsonObject, JsonObject>> _upcasters = new();

    /// <summary>Creates a registry that serializes payloads with <paramref name="jsonOptions"/> (camelCase by default).</summary>
    public EventTypeRegistry(JsonSerializerOptions? jsonOptions = null)
    {
        JsonOptions = jsonOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
    }

    /// <summary>The serializer options used for payloads and snapshots.</summary>
    public JsonSerializerOptions JsonOptions { get; }

    /// <summary>Registers <typeparamref name="T"/> under a stable name at its current schema version.</summary>
    public EventTypeRegistry Register<T>(string name, int schemaVersion = 1) => Register(typeof(T), name, schemaVersion);

    /// <summary>Registers <paramref name="type"/> under a stable name at its current schema version.</summary>
    public EventTypeRegistry Register(Type type, string name, int schemaVersion = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(schemaVersion, 1);
        var entry = new EventTypeName(name, schemaVersion);
        if (_byType.TryGetValue(type, out var existing) && existing != entry)
        {
            throw new InvalidOperationException($"Event type {type.Name} is already registered as '{existing.Name}' v{existing.SchemaVersion}; one type has one stable name.");
        }

        if (_byName.TryGetValue(name, out var owner) && owner.Type != type)
        {
            throw new InvalidOperationException($"Event name '{name}' is already taken by {owner.Type.Name}; pick another stable name for {type.Name}.");
        }

        _byType[type] = entry;
        _byName[name] = (type, schemaVersion);
        return this;
    }

    /// <summary>
    /// Registers a step that turns the JSON of <paramref name="name"/> at <paramref name="fromVersion"/> into
    /// <paramref name="fromVersion"/> + 1. Steps chain until the registered current version is reached.
    /// </summary>
    public EventTypeRegistry Upcast(string name, int fromVersion, Func<JsonObject, JsonObject> step)
    {
        _upcasters[(name, fromVersion)] = step;
        return this;
    }

    /// <summary>The stable name and current schema version of a payload type.</summary>
    public EventTypeName NameOf(Type type) => _byType.TryGetValue(type, out var name)
        ? name
        : throw new InvalidOperationException($"Event type {type.FullName} is not registered; register it with a stable name before appending it.");

    /// <summary>True when <paramref name="name"/> is a registered event name.</summary>
    public bool IsKnown(string name) => _byName.ContainsKey(name);

    /// <summary>Serializes a payload to UTF-8 JSON.</summary>
    public byte[] Serialize(object data) => JsonSerializer.SerializeToUtf8Bytes(data, data.GetType(), JsonOptions);

    /// <summary>Reads a stored payload, upcasting it from <paramref name="storedVersion"/> to the current schema.</summary>
    /// <exception cref="UnknownEventTypeException">The name is not registered, or no upcaster bridges the versions.</exception>
    public object Deserialize(string name, int storedVersion, string json, EventLocation location)
    {
        if (!_byName.TryGetValue(name, out var target))
        {
            throw new UnknownEventTypeException(name, storedVersion, location, "it is not registered in this process; register the type, or deploy the version of Granary that wrote it");
        }

        if (storedVersion == target.SchemaVersion)
        {
            return JsonSerializer.Deserialize(json, target.Type, JsonOptions)
                ?? throw new UnknownEventTypeException(name, storedVersion, location, "its payload is JSON null");
        }

        if (storedVersion > target.SchemaVersion)
        {
            throw new UnknownEventTypeException(name, storedVersion, location, $"this process knows it only up to schema v{target.SchemaVersion}; a newer Granary wrote it");
        }

        var node = JsonNode.Parse(json) as JsonObject
            ?? throw new UnknownEventTypeException(name, storedVersion, location, "its payload is not a JSON object, so it cannot be upcast");
        for (var version = storedVersion; version < target.SchemaVersion; version++)
        {
            if (!_upcasters.TryGetValue((name, version), out var step))
            {
                throw new UnknownEventTypeException(name, storedVersion, location, $"no upcaster turns v{version} into v{version + 1}; register one with Upcast(\"{name}\", {version}, ...)");
            }

            node = step(node);
        }

        return node.Deserialize(target.Type, JsonOptions)
            ?? throw new UnknownEventTypeException(name, storedVersion, location, "its upcast payload is JSON null");
    }
}

/// <summary>A stable event name with its schema version.</summary>
public readonly record struct EventTypeName(string Name, int SchemaVersion);

/// <summary>Where a stored event sits, for error messages.</summary>
public readonly record struct EventLocation(string StreamId, long StreamVersion, GlobalPosition Position)
{
    /// <inheritdoc />
    public override string ToString() => $"stream '{StreamId}' version {StreamVersion} (feed position {Position})";
}
