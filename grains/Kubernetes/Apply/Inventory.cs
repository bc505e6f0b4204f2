using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Apply;

/// <summary>The objects a resource applied, as Flux writes them in <c>status.inventory.entries</c>: <c>&lt;namespace&gt;_&lt;name&gt;_&lt;group&gt;_&lt;kind&gt;</c> and the version.</summary>
public sealed record Inventory(IReadOnlyList<InventoryEntry> Entries)
{
    /// <summary>No objects.</summary>
    public static Inventory Empty { get; } = new([]);

    /// <summary>The inventory of <paramref name="objects"/>, sorted by id as Flux sorts it.</summary>
    public static Inventory Of(IEnumerable<ObjectReference> objects) =>
        new(objects.Select(InventoryEntry.Of).DistinctBy(e => e.Id).OrderBy(e => e.Id, StringComparer.Ordinal).ToList());

    /// <summary>Inventories are equal when they list the same entries in the same order.</summary>
    public bool Equals(Inventory? other) => other is not null && Entries.SequenceEqual(other.Entries);

    /// <inheritdoc />
    public override int GetHashCode() => Entries.Aggregate(0, (hash, entry) => HashCode.Combine(hash, entry));

    /// <summary>Entries of this inventory whose id is not in <paramref name="next"/>: the objects that left.</summary>
    public IReadOnlyList<InventoryEntry> Without(Inventory next)
    {
        var kept = next.Entries.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        return Entries.Where(e => !kept.Contains(e.Id)).ToList();
    }
}

/// <summary>One inventory entry: Flux's object id and the API version it was applied with.</summary>
public sealed record InventoryEntry(string Id, string Version)
{
    /// <summary>The entry for <paramref name="reference"/>.</summary>
    public static InventoryEntry Of(ObjectReference reference) =>
        new($"{reference.Namespace}_{reference.Name}_{reference.Group}_{reference.Kind}", reference.Version);

    /// <summary>The object this entry names; throws when the id is not <c>namespace_name_group_kind</c>.</summary>
    public ObjectReference Reference
    {
        get
        {
            var parts = Id.Split('_');
            if (parts.Length != 4 || parts[1].Length == 0 || parts[3].Length == 0)
            {
                throw new FormatException($"Inventory entry '{Id}' is not <namespace>_<name>_<group>_<kind>.");
            }

            return new ObjectReference(parts[2].Length == 0 ? Version : $"{parts[2]}/{Version}", parts[3], parts[0], parts[1]);
        }
    }
}
