using Granary.Contracts.Resources;
using Granary.EventStore;

namespace Granary.Silo.Resources;

/// <summary>
/// A resource's dependencies and inventory as a tree, like <c>flux tree kustomization</c>: its source, its
/// <c>dependsOn</c> (recursively), the cluster objects of its inventory and, as subtrees, the Granary resources its build
/// declared to Granary itself (self-management). Every node is folded from the event log, as <c>get</c> shows it.
/// </summary>
public sealed class ResourceTree(PostgresEventStore store, ResourceKinds kinds)
{
    /// <summary>Deeper nesting than this is cut off (a node says so) rather than followed.</summary>
    public const int MaxDepth = 16;

    /// <summary>The tree of <paramref name="key"/>, or null when the resource does not exist.</summary>
    public async Task<TreeNode?> BuildAsync(ResourceKind kind, string key, CancellationToken cancellationToken)
    {
        var view = await kind.LoadAsync(store, key, cancellationToken);
        return view is { Status.Exists: true } ? await NodeAsync(view, TreeRelation.Resource, [Id(view.Kind, view.Key)], cancellationToken) : null;
    }

    private async Task<TreeNode> NodeAsync(ResourceView view, TreeRelation relation, IReadOnlyList<string> path, CancellationToken cancellationToken)
    {
        var node = Resource(view, relation);
        if (path.Count > MaxDepth)
        {
            return node with { Note = $"deeper than {MaxDepth} levels; run granary tree on it" };
        }

        // A dependency's source and inventory belong to its own tree: below dependsOn only its dependencies are followed.
        var children = new List<TreeNode>();
        if (relation != TreeRelation.DependsOn && view.Status.SourceRef?.Split('/', 3) is [var sourceKind, var sourceNamespace, var sourceName])
        {
            children.Add(await ReferencedAsync(sourceKind, $"{sourceNamespace}/{sourceName}", TreeRelation.Source, path, follow: false, cancellationToken));
        }

        foreach (var dependency in DependsOn(view))
        {
            children.Add(await ReferencedAsync(view.Kind, dependency, TreeRelation.DependsOn, path, follow: true, cancellationToken));
        }

        if (relation != TreeRelation.DependsOn)
        {
            children.AddRange(Objects(view.Status.Inventory ?? []));
            foreach (var declared in view.Status.Declared ?? [])
            {
                var space = declared.IndexOf(' ');
                var (declaredKind, declaredKey) = (declared[..space], declared[(space + 1)..]);
                if (Id(declaredKind, declaredKey) != Id(view.Kind, view.Key))
                {
                    children.Add(await ReferencedAsync(declaredKind, declaredKey, TreeRelation.Declared, path, follow: true, cancellationToken));
                }
            }
        }

        return node with { Children = children };
    }

    /// <summary>A resource another one points at: followed into a subtree unless it is missing or closes a cycle.</summary>
    private async Task<TreeNode> ReferencedAsync(string kindName, string key, TreeRelation relation, IReadOnlyList<string> path, bool follow, CancellationToken cancellationToken)
    {
        var slash = key.IndexOf('/');
        var missing = new TreeNode(kindName, key[..slash], key[(slash + 1)..], relation);
        if (kinds.Find(kindName) is not { } kind)
        {
            return missing with { Note = "kind not served by this silo" };
        }

        if (await kind.LoadAsync(store, key, cancellationToken) is not { Status.Exists: true } view)
        {
            return missing with { Kind = kind.Kind, Note = "does not exist" };
        }

        var id = Id(view.Kind, view.Key);
        if (path.Contains(id))
        {
            return Resource(view, relation) with { Note = $"cycle: {string.Join(" -> ", path.SkipWhile(p => p != id).Append(id))}" };
        }

        return follow ? await NodeAsync(view, relation, [.. path, id], cancellationToken) : Resource(view, relation);
    }

    private static TreeNode Resource(ResourceView view, TreeRelation relation) => new(
        view.Kind, view.Metadata.Namespace, view.Metadata.Name, relation, view.ApiVersion, view.Status.Ready,
        view.Status.LastAppliedRevision ?? view.Status.Artifact?.Revision, view.Status.Suspended ? true : null, view.Status.Cluster);

    private static IEnumerable<string> DependsOn(ResourceView view) => (view.Spec switch
    {
        KustomizationSpec kustomization => kustomization.DependsOn,
        HelmReleaseSpec release => release.DependsOn,
        _ => null,
    } ?? []).Select(d => $"{d.Namespace ?? view.Metadata.Namespace}/{d.Name}");

    /// <summary>
    /// Inventory entries as object nodes: Flux's ids (<c>namespace_name_group_kind</c>), or for a fleet
    /// <c>namespace/cluster|id</c>, grouped under one node per Cluster.
    /// </summary>
    private static IEnumerable<TreeNode> Objects(IReadOnlyList<string> inventory)
    {
        var single = inventory.Where(i => !i.Contains('|')).Select(Object);
        var fleet = inventory.Where(i => i.Contains('|')).GroupBy(i => i[..i.IndexOf('|')], StringComparer.Ordinal).Select(g =>
        {
            var slash = g.Key.IndexOf('/');
            return new TreeNode("Cluster", g.Key[..slash], g.Key[(slash + 1)..], TreeRelation.Target, Children: g.Select(i => Object(i[(i.IndexOf('|') + 1)..])).ToList());
        });
        return single.Concat(fleet);
    }

    private static TreeNode Object(string id)
    {
        // Names, namespaces and kinds cannot hold '_': the id splits into exactly four parts.
        var parts = id.Split('_');
        return parts.Length == 4
            ? new TreeNode(parts[3], parts[0], parts[1], TreeRelation.Object, Group: parts[2])
            : new TreeNode("Unknown", string.Empty, id, TreeRelation.Object, Note: "not a Flux inventory id");
    }

    private static string Id(string kind, string key) => $"{kind} {key}";
}

/// <summary>How a tree node relates to its parent.</summary>
public enum TreeRelation
{
    /// <summary>The resource asked about (the root).</summary>
    Resource,

    /// <summary>The parent's <c>sourceRef</c>.</summary>
    Source,

    /// <summary>One of the parent's <c>dependsOn</c>.</summary>
    DependsOn,

    /// <summary>A cluster object in the parent's inventory.</summary>
    Object,

    /// <summary>A Granary resource the parent's build declared (self-management).</summary>
    Declared,

    /// <summary>A Cluster of a fleet the parent applies to; its children are the objects applied there.</summary>
    Target,
}

/// <summary>One node of a resource tree.</summary>
/// <param name="Kind">The kind, e.g. <c>Kustomization</c> or <c>ConfigMap</c>.</param>
/// <param name="Namespace">The namespace (empty for cluster-scoped objects).</param>
/// <param name="Name">The name.</param>
/// <param name="Relation">How it relates to its parent.</param>
/// <param name="ApiVersion">A Granary resource's API version.</param>
/// <param name="Ready">A Granary resource's Ready status.</param>
/// <param name="Revision">A Granary resource's last applied revision (a source's artifact revision).</param>
/// <param name="Suspended">True when a Granary resource is suspended.</param>
/// <param name="Cluster">Where a Kustomization or HelmRelease applies.</param>
/// <param name="Group">A cluster object's API group (empty for the core group).</param>
/// <param name="Note">Why the node has no subtree: missing, a cycle, too deep.</param>
/// <param name="Children">Its source, dependencies, objects and declared resources, in that order.</param>
public sealed record TreeNode(
    string Kind,
    string Namespace,
    string Name,
    TreeRelation Relation,
    string? ApiVersion = null,
    string? Ready = null,
    string? Revision = null,
    bool? Suspended = null,
    string? Cluster = null,
    string? Group = null,
    string? Note = null,
    IReadOnlyList<TreeNode>? Children = null);
