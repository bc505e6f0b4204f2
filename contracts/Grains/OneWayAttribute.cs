namespace Granary.Contracts.Grains;

/// <summary>A fire-and-forget method: the caller's task completes once the call is queued; failures are logged, never returned.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class OneWayAttribute : Attribute;
