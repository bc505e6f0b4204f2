using Granary.Grains.Kubernetes.Health;

namespace Granary.Grains.Kubernetes.Apply;

/// <summary>
/// The outcome of an apply: Flux-style reason and message, the change set, the inventory to remember (on failure, the
/// previous one plus whatever was applied, so nothing created is forgotten by the next prune), and health when checked.
/// </summary>
public sealed record ApplyResult(bool Succeeded, string Reason, string Message, ChangeSet ChangeSet, Inventory Inventory, HealthReport? Health);

/// <summary>The reasons an <see cref="ApplyResult"/> carries, as Flux's kustomize-controller names them.</summary>
public static class ApplyReasons
{
    /// <summary>Everything applied (and pruned, and healthy when waited for).</summary>
    public const string ReconciliationSucceeded = "ReconciliationSucceeded";

    /// <summary>The manifests could not be applied.</summary>
    public const string ReconciliationFailed = "ReconciliationFailed";

    /// <summary>Applied, but not every object became healthy in time.</summary>
    public const string HealthCheckFailed = "HealthCheckFailed";

    /// <summary>Applied, but removing objects that left the inventory failed.</summary>
    public const string PruneFailed = "PruneFailed";
}
