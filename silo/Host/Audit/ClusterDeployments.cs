using Granary.Contracts.Events;
using Granary.EventStore;
using Granary.Silo.ReadModel;
using Granary.Silo.Resources;

namespace Granary.Silo.Audit;

/// <summary>
/// Answers "what was deployed to this cluster between <c>since</c> and <c>until</c>": every apply, prune, release and
/// rollback a Kustomization or HelmRelease recorded for that cluster in <c>[since, until)</c>, oldest first, with the
/// revision, its commit and the objects it changed. Each stream is folded up to <c>until</c> to know, event by event,
/// which cluster the resource targeted then (a spec may have moved it).
/// </summary>
public sealed class ClusterDeployments(PostgresEventStore store, ResourceTable table, ResourceKinds kinds)
{
    private static readonly string[] DeployingKinds = ["Kustomization", "HelmRelease"];

    /// <summary>The deployments to <paramref name="cluster"/> in <c>[since, until)</c>.</summary>
    /// <param name="cluster"><c>management</c> (the silo's cluster), a Cluster's <c>name</c> or <c>namespace/name</c>, or <c>kubeconfig:&lt;secret&gt;</c>.</param>
    /// <param name="since">The window's start (included).</param>
    /// <param name="until">The window's end (excluded).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<IReadOnlyList<Deployment>> ListAsync(string cluster, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var deployments = new List<Deployment>();
        foreach (var (kindName, @namespace, name) in await table.ChangedSinceAsync(DeployingKinds, since, cancellationToken))
        {
            var kind = kinds.Find(kindName)!;
            var key = $"{@namespace}/{name}";
            string? target = null;
            IReadOnlyList<string> inventory = [];
            var prune = false;
            await foreach (var recorded in store.ReadStreamAsOfAsync(kind.StreamId(key), until, cancellationToken))
            {
                // Every event folds the target; only those inside the window and on the cluster are answered.
                Change? change = null;
                switch (recorded.Data)
                {
                    case KustomizationSpecApplied spec:
                        target = KustomizationKind.TargetOf(spec.Spec.ClusterRef, spec.Spec.KubeConfig, spec.Spec.ClusterSelector);
                        prune = spec.Spec.Prune;
                        break;
                    case HelmReleaseSpecApplied spec:
                        target = KustomizationKind.TargetOf(spec.Spec.ClusterRef, spec.Spec.KubeConfig, spec.Spec.ClusterSelector);
                        prune = true;
                        break;
                    case Applied applied: // its changes hold the declared Granary resources and the pruned objects too
                        change = new(applied.Cluster ?? target, applied.Revision, applied.Changes);
                        inventory = applied.Cluster is null ? applied.Inventory : inventory;
                        break;
                    case ClusterReleased released:
                        change = new(released.Cluster, null, released.Pruned.Select(o => $"{o} deleted").ToList());
                        break;
                    case Deleted when prune && inventory.Count > 0:
                        change = new(target, null, inventory.Select(i => $"{InventoryObject(i[..i.LastIndexOf('|')])} deleted").ToList());
                        break;
                    case ReleaseInstalled installed:
                        change = new(target, Revision(installed.Content), installed.Changes);
                        break;
                    case ReleaseUpgraded upgraded:
                        change = new(target, Revision(upgraded.Content), upgraded.Changes);
                        break;
                    case RolledBack rolledBack:
                        change = new(target, $"release {rolledBack.ToRelease}", rolledBack.Changes);
                        break;
                    case Uninstalled uninstalled:
                        change = new(target, $"release {uninstalled.Release}", uninstalled.Objects.Select(o => $"{o} deleted").ToList());
                        break;
                    case HelmDriftDetected { Corrected: true } drift:
                        change = new(target, $"release {drift.Release}", drift.Objects.Select(o => $"{o} configured").ToList());
                        break;
                }

                if (change is { Cluster: { } on } && recorded.Timestamp >= since && recorded.Timestamp < until && Matches(cluster, on, @namespace))
                {
                    deployments.Add(new Deployment(
                        kind.Kind, @namespace, name, on, change.Revision, change.Revision is null ? null : ObjectTrace.CommitOf(change.Revision),
                        change.Objects, HistoryEntry.Of(recorded, includeData: false)));
                }
            }
        }

        return deployments.OrderBy(d => d.Event.Time).ThenBy(d => d.Event.Position, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Whether the cluster an event names is the one asked about: the same text, or the same Cluster written as a name
    /// (a <c>clusterRef</c>, which is in the resource's namespace) and as <c>namespace/name</c> (a fleet member).
    /// </summary>
    private static bool Matches(string asked, string recorded, string resourceNamespace) =>
        asked == recorded
        || (recorded.Contains('/') && !asked.Contains('/') && recorded[(recorded.IndexOf('/') + 1)..] == asked)
        || (!recorded.Contains('/') && !recorded.Contains(':') && asked == $"{resourceNamespace}/{recorded}");

    private static string Revision(ReleaseContent content) => $"{content.Chart}@{content.ChartVersion}";

    /// <summary>An inventory id (<c>namespace_name_group_kind</c>) as change sets write objects: <c>Kind namespace/name</c>.</summary>
    private static string InventoryObject(string id)
    {
        var parts = id.Split('_');
        return parts.Length != 4 ? id : parts[0].Length > 0 ? $"{parts[3]} {parts[0]}/{parts[1]}" : $"{parts[3]} {parts[1]}";
    }

    private sealed record Change(string? Cluster, string? Revision, IReadOnlyList<string> Objects);
}

/// <summary>One deployment to a cluster: an apply, prune, release or rollback of a resource.</summary>
/// <param name="Kind">The resource's kind (Kustomization or HelmRelease).</param>
/// <param name="Namespace">Its namespace.</param>
/// <param name="Name">Its name.</param>
/// <param name="Cluster">The cluster it deployed to, as recorded.</param>
/// <param name="Revision">The source revision applied (a HelmRelease's <c>chart@version</c>); null for a prune on delete or release.</param>
/// <param name="Commit">The commit of that revision, when it is a Git revision.</param>
/// <param name="Objects">The objects it changed, as <c>Kind namespace/name action</c> (created, configured, deleted).</param>
/// <param name="Event">The event recorded: time, type, actor, correlation, summary.</param>
public sealed record Deployment(string Kind, string Namespace, string Name, string Cluster, string? Revision, string? Commit, IReadOnlyList<string> Objects, HistoryEntry Event);
