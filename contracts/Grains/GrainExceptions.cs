namespace Granary.Contracts.Grains;

/// <summary>A grain call did not complete before its deadline; whether it took effect is unknown.</summary>
public sealed class GrainCallTimeoutException(GrainId target, string method, TimeSpan timeout)
    : TimeoutException($"Call {method} on grain {target} did not complete within {timeout.TotalSeconds:0.###} s; its outcome is unknown.")
{
    /// <summary>The grain called.</summary>
    public GrainId Target { get; } = target;

    /// <summary>The method called.</summary>
    public string Method { get; } = method;
}

/// <summary>An error the caller may retry: the grain's state moved under it and the activation was reset.</summary>
public class RetryableGrainException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Another activation appended to the grain's stream first; this activation deactivated, and a retry sees fresh state.</summary>
public sealed class GrainConflictException(GrainId grain, long expectedVersion, Exception inner)
    : RetryableGrainException($"Grain {grain} lost a write race at version {expectedVersion}: another activation appended first. The activation was deactivated; retry the call.", inner)
{
    /// <summary>The grain whose write failed.</summary>
    public GrainId Grain { get; } = grain;
}
