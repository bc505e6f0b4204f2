namespace Granary.Testing.Kubernetes;

/// <summary>A request that reached a <see cref="FaultProxy"/>, and the fault it got (null when it was passed through).</summary>
public sealed record ProxiedRequest(string Method, string PathAndQuery, Fault? Fault);
