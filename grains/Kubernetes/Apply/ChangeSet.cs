using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Apply;

/// <summary>What an apply did to one object, in Flux's words.</summary>
public enum ChangeAction
{
    /// <summary>The object did not exist and was created.</summary>
    Created,

    /// <summary>The object existed and applying changed it (or recreated it after an immutable-field change).</summary>
    Configured,

    /// <summary>The object already matched the manifest.</summary>
    Unchanged,

    /// <summary>Pruned: it left the inventory and was deleted.</summary>
    Deleted,

    /// <summary>Left alone on purpose (pruning disabled, or another owner took it over).</summary>
    Skipped,
}

/// <summary>One object's change, with a short note where the action needs one (why it was skipped or recreated).</summary>
public sealed record Change(ObjectReference Object, ChangeAction Action, string? Note = null)
{
    /// <summary>Reads as Flux logs it: <c>Deployment apps/web configured</c>.</summary>
    public override string ToString() => $"{Object} {Action.ToString().ToLowerInvariant()}{(Note is null ? "" : $" ({Note})")}";
}

/// <summary>Every object an apply touched and what happened to it.</summary>
public sealed record ChangeSet(IReadOnlyList<Change> Changes)
{
    /// <summary>How many objects had <paramref name="action"/>.</summary>
    public int Count(ChangeAction action) => Changes.Count(c => c.Action == action);

    /// <summary>Whether anything in the cluster changed.</summary>
    public bool HasChanges => Changes.Any(c => c.Action is ChangeAction.Created or ChangeAction.Configured or ChangeAction.Deleted);

    /// <summary>The change of one object, or null.</summary>
    public Change? For(ObjectReference reference) => Changes.FirstOrDefault(c => c.Object == reference);

    /// <summary>One line per change.</summary>
    public override string ToString() => string.Join('\n', Changes);
}
