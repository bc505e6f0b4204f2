namespace Granary.Contracts.Grains;

/// <summary>A method that does not change the grain's state: it may interleave with other read-only calls instead of waiting for a turn of its own.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class ReadOnlyAttribute : Attribute;
