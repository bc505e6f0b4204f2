using System.Collections.Concurrent;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;

namespace Granary.Grains.Kubernetes.Prune;

/// <summary>
/// Deletes objects that left an owner's inventory — but never an object carrying <c>kustomize.toolkit.fluxcd.io/prune: disabled</c>,
/// and never one whose owner labels now name someone else (another Kustomization took it over).
/// </summary>
public sealed class Pruner(KubernetesClient client)
{
    /// <summary>Prunes <paramref name="stale"/> entries of <paramref name="owner"/>; returns what happened and the errors, each naming its object.</summary>
    public async Task<(IReadOnlyList<Change> Changes, IReadOnlyList<string> Errors)> PruneAsync(ResourceOwner owner, IReadOnlyList<InventoryEntry> stale,
        CancellationToken cancellationToken)
    {
        var changes = new ConcurrentBag<Change>();
        var errors = new ConcurrentBag<string>();
        // Namespaces and CRDs go last: deleting them first would delete their contents behind our back, unchecked.
        var all = stale.Select(e => e.Reference).ToList();
        var containers = all.Where(ApplyStages.IsDefinition).ToList();
        var contents = all.Where(r => !ApplyStages.IsDefinition(r)).ToList();
        foreach (var batch in new[] { contents, containers })
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = client.Options.MaxConcurrency, CancellationToken = cancellationToken },
                async (reference, ct) =>
                {
                    try
                    {
                        var live = await client.TryGetAsync(reference, ct);
                        if (live is null)
                        {
                            return; // already gone
                        }

                        if (!owner.Owns(live))
                        {
                            changes.Add(new Change(reference, ChangeAction.Skipped, "owned by another resource"));
                        }
                        else if (ResourceOwner.PruneIsDisabled(live))
                        {
                            changes.Add(new Change(reference, ChangeAction.Skipped, $"{ResourceOwner.PruneKey}: {ResourceOwner.PruneDisabled}"));
                        }
                        else
                        {
                            await client.DeleteAsync(reference, PropagationPolicy.Background, ct);
                            changes.Add(new Change(reference, ChangeAction.Deleted));
                        }
                    }
                    catch (UnknownKindException)
                    {
                        // Its CRD is gone, and with it every object of the kind.
                    }
                    catch (KubernetesException e)
                    {
                        errors.Add($"{reference}: {e.Message}");
                    }
                });
        }

        return (changes.OrderBy(c => c.Object.ToString(), StringComparer.Ordinal).ToList(), errors.ToList());
    }
}
