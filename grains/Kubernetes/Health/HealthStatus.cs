namespace Granary.Grains.Kubernetes.Health;

/// <summary>kstatus's verdict on one object: Current (healthy), InProgress, or Failed (will not get better by waiting).</summary>
public enum HealthState
{
    /// <summary>The object reached its desired state.</summary>
    Current,

    /// <summary>Still rolling out, starting, or not yet reconciled.</summary>
    InProgress,

    /// <summary>Failed for good (a Job's Failed condition, a Deployment past its progress deadline).</summary>
    Failed,

    /// <summary>The object does not exist.</summary>
    NotFound,
}

/// <summary>An object's health and, when not Current, why.</summary>
public sealed record HealthStatus(HealthState State, string Message)
{
    /// <summary>Healthy.</summary>
    public static HealthStatus Current(string message = "ready") => new(HealthState.Current, message);

    /// <summary>Not yet healthy, with the reason.</summary>
    public static HealthStatus InProgress(string message) => new(HealthState.InProgress, message);

    /// <summary>Failed for good, with the reason.</summary>
    public static HealthStatus Failed(string message) => new(HealthState.Failed, message);
}
