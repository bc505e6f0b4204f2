using Granary.Contracts.Events;
using Granary.EventStore;
using Granary.Silo.ReadModel;
using Granary.Silo.Resources;

namespace Granary.Silo.Audit;

/// <summary>
/// Answers "who manages this cluster object, from which commit": the Kustomization whose inventory holds it, the
/// source revision and commit it last applied, and the events that touched the object.
/// </summary>
public sealed class ObjectTrace(PostgresEventStore store, ResourceTable table, ResourceKinds kinds)
{
    /// <summary>Traces <paramref name="target"/>; null when no resource's inventory holds it.</summary>
    public async Task<TraceResult?> TraceAsync(ClusterObject target, CancellationToken cancellationToken)
    {
        var owners = await table.FindOwnersAsync(target.Cluster, target.InventoryId, cancellationToken);
        if (owners.Count == 0)
        {
            return null;
        }

        // Several owners can only happen transiently (one took the object over from another): report the most recent.
        var owner = owners.OrderByDescending(o => o.UpdatedAt).First();
        var kind = kinds.Find(owner.Kind)!;
        var key = $"{owner.Namespace}/{owner.Name}";
        var touched = new List<HistoryEntry>();
        HistoryEntry? lastChange = null;
        string? lastChangeRevision = null;
        await foreach (var recorded in store.ReadStreamAsync(kind.StreamId(key), cancellationToken: cancellationToken))
        {
            var (touches, changed, revision) = recorded.Data switch
            {
                Applied applied => Touches(applied.Changes, target, applied.Revision),
                Pruned pruned => (pruned.Objects.Any(target.Names), false, pruned.Revision),
                DriftCorrected drift => (drift.Objects.Any(target.Names), false, drift.Revision),
                KustomizationSpecApplied or Suspended or Resumed or Deleted => (true, false, null),
                _ => (false, false, null),
            };
            if (!touches)
            {
                continue;
            }

            var entry = HistoryEntry.Of(recorded, includeData: false);
            touched.Add(entry);
            if (changed)
            {
                lastChange = entry;
                lastChangeRevision = revision;
            }
        }

        var source = await SourceOfAsync(owner.SourceRef, lastChangeRevision ?? owner.Revision, cancellationToken);
        return new TraceResult(target, new TraceOwner(owner.Kind, owner.Namespace, owner.Name, owner.Revision, owner.Ready, owner.SourceRef), lastChange, lastChangeRevision, source, touched);
    }

    private static (bool Touches, bool Changed, string? Revision) Touches(IReadOnlyList<string> changes, ClusterObject target, string revision)
    {
        var changed = changes.Any(c => target.Names(c[..Math.Max(0, c.LastIndexOf(' '))]));
        return (changed, changed, revision);
    }

    /// <summary>The source artifact of <paramref name="revision"/>: the commit and the event that stored it.</summary>
    private async Task<TraceSource?> SourceOfAsync(string? sourceRef, string? revision, CancellationToken cancellationToken)
    {
        if (sourceRef is null || revision is null)
        {
            return null;
        }

        var parts = sourceRef.Split('/', 3);
        if (parts.Length != 3 || kinds.Find(parts[0]) is not { } kind)
        {
            return new TraceSource(sourceRef, revision, CommitOf(revision), null);
        }

        HistoryEntry? fetched = null;
        await foreach (var recorded in store.ReadStreamAsync(kind.StreamId($"{parts[1]}/{parts[2]}"), cancellationToken: cancellationToken))
        {
            if (recorded.Data is ArtifactFetched artifact && artifact.Revision == revision)
            {
                fetched = HistoryEntry.Of(recorded, includeData: false);
            }
        }

        return new TraceSource(sourceRef, revision, CommitOf(revision), fetched);
    }

    /// <summary>The commit of a Flux revision (<c>main@sha1:&lt;hex&gt;</c> → the hex); null when it names none.</summary>
    public static string? CommitOf(string revision)
    {
        var at = revision.LastIndexOf(':');
        return at >= 0 && revision.AsSpan(0, at).EndsWith("sha1") ? revision[(at + 1)..] : null;
    }
}

/// <summary>A cluster object to trace.</summary>
/// <param name="Cluster">The cluster (<c>management</c> for the silo's own).</param>
/// <param name="ApiVersion">Its API version, e.g. <c>apps/v1</c>.</param>
/// <param name="Kind">Its kind, e.g. <c>Deployment</c>.</param>
/// <param name="Namespace">Its namespace (empty for cluster-scoped objects).</param>
/// <param name="Name">Its name.</param>
public sealed record ClusterObject(string Cluster, string ApiVersion, string Kind, string Namespace, string Name)
{
    /// <summary>Flux's inventory id: <c>namespace_name_group_kind</c>.</summary>
    public string InventoryId => $"{Namespace}_{Name}_{(ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : string.Empty)}_{Kind}";

    /// <summary>Whether <paramref name="text"/> (as change sets write objects: <c>Kind namespace/name</c>) names this object.</summary>
    public bool Names(string text) => text == (Namespace.Length > 0 ? $"{Kind} {Namespace}/{Name}" : $"{Kind} {Name}");
}

/// <summary>What a trace found.</summary>
/// <param name="Object">The object traced.</param>
/// <param name="ManagedBy">The resource whose inventory holds it.</param>
/// <param name="LastChange">The event that last created or changed it (null when it was applied unchanged since it was adopted).</param>
/// <param name="LastChangeRevision">The source revision of that change.</param>
/// <param name="Source">The source and commit of that revision (or of the last applied revision).</param>
/// <param name="Events">The manager's events that touched the object or the manager itself (spec, suspend, delete).</param>
public sealed record TraceResult(ClusterObject Object, TraceOwner ManagedBy, HistoryEntry? LastChange, string? LastChangeRevision, TraceSource? Source, IReadOnlyList<HistoryEntry> Events);

/// <summary>The resource that manages a traced object.</summary>
/// <param name="Kind">Its kind.</param>
/// <param name="Namespace">Its namespace.</param>
/// <param name="Name">Its name.</param>
/// <param name="LastAppliedRevision">The revision it last applied.</param>
/// <param name="Ready">Its Ready status.</param>
/// <param name="SourceRef">Its source, <c>Kind/namespace/name</c>.</param>
public sealed record TraceOwner(string Kind, string Namespace, string Name, string? LastAppliedRevision, string Ready, string? SourceRef);

/// <summary>Where a traced revision came from.</summary>
/// <param name="SourceRef">The source, <c>Kind/namespace/name</c>.</param>
/// <param name="Revision">The revision, e.g. <c>main@sha1:…</c>.</param>
/// <param name="Commit">The commit.</param>
/// <param name="Fetched">The source's event that stored the artifact of that revision.</param>
public sealed record TraceSource(string SourceRef, string Revision, string? Commit, HistoryEntry? Fetched);
