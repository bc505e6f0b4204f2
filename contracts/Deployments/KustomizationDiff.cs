namespace Granary.Contracts.Deployments;

/// <summary>
/// What applying a Kustomization's current source revision would change in its cluster, found by server-side dry-run
/// (like <c>flux diff kustomization</c>): nothing was applied or recorded. Secret values are masked.
/// </summary>
/// <param name="Revision">The source revision rendered.</param>
/// <param name="Objects">Every object of the build and every one the apply would prune, ordered by kind, namespace and name.</param>
public sealed record KustomizationDiff(string Revision, IReadOnlyList<ObjectDiff> Objects)
{
    /// <summary>Whether applying would create, change or delete anything.</summary>
    public bool HasChanges => Objects.Any(o => o.Action is not DiffAction.Unchanged);
}

/// <summary>What applying would do to one object.</summary>
/// <param name="ApiVersion">Its API version.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Namespace">Its namespace (empty when cluster-scoped).</param>
/// <param name="Name">Its name.</param>
/// <param name="Action">Created, configured, unchanged, deleted (pruned), or failed.</param>
/// <param name="Fields">For a configured object, each changed field with its value before and after (masked in Secrets).</param>
/// <param name="Message">Why the dry run failed, or a note (a declared Granary resource).</param>
public sealed record ObjectDiff(string ApiVersion, string Kind, string Namespace, string Name, DiffAction Action, IReadOnlyList<FieldDiff> Fields, string? Message = null)
{
    /// <inheritdoc />
    public override string ToString() => Namespace.Length > 0 ? $"{Kind}/{Namespace}/{Name}" : $"{Kind}/{Name}";
}

/// <summary>What applying would do to an object.</summary>
public enum DiffAction
{
    /// <summary>It does not exist and would be created.</summary>
    Created,

    /// <summary>It exists and would change.</summary>
    Configured,

    /// <summary>It exists as the build has it.</summary>
    Unchanged,

    /// <summary>It left the build and would be pruned.</summary>
    Deleted,

    /// <summary>The server refused the dry run (invalid, forbidden, immutable field).</summary>
    Failed,
}

/// <summary>One changed field.</summary>
/// <param name="Path">Its jq-style path, e.g. <c>.data.value</c> or <c>.spec.template.spec.containers[0].image</c>.</param>
/// <param name="Before">Its live value as JSON, or null when it is added.</param>
/// <param name="After">Its value after the apply as JSON, or null when it is removed.</param>
public sealed record FieldDiff(string Path, string? Before, string? After);
