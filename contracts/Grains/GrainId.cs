namespace Granary.Contracts.Grains;

/// <summary>A grain's identity: its kind (one per grain interface) and its key (for a namespaced resource <c>namespace/name</c>).</summary>
public readonly record struct GrainId(string Kind, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind}/{Key}";
}
