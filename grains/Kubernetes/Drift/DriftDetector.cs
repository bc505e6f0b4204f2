using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Drift;

/// <summary>One object whose live state differs from what applying its manifest would make it.</summary>
/// <param name="Object">The object.</param>
/// <param name="Paths">The jq-style paths that differ (values are never reported: they may be Secret data).</param>
/// <param name="Missing">Whether the object does not exist at all.</param>
public sealed record ObjectDrift(ObjectReference Object, IReadOnlyList<string> Paths, bool Missing)
{
    /// <inheritdoc />
    public override string ToString() => Missing ? $"{Object} is missing" : $"{Object} drifted at {string.Join(", ", Paths)}";
}

/// <summary>
/// Drift detection as DESIGN §6 describes it: a server-side dry-run apply of each manifest compared with the live object,
/// ignoring server-managed fields, reported by JSON path.
/// </summary>
public sealed class DriftDetector(KubernetesClient client)
{
    /// <summary>The drifted objects among <paramref name="manifests"/>, each labelled for <paramref name="owner"/> as the apply would.</summary>
    public async Task<IReadOnlyList<ObjectDrift>> DetectAsync(ResourceOwner owner, IReadOnlyList<JsonObject> manifests, CancellationToken cancellationToken)
    {
        var drifts = new List<ObjectDrift>();
        var gate = new Lock();
        await Parallel.ForEachAsync(manifests, new ParallelOptions { MaxDegreeOfParallelism = client.Options.MaxConcurrency, CancellationToken = cancellationToken },
            async (manifest, ct) =>
            {
                var desired = (JsonObject)manifest.DeepClone();
                owner.Label(desired);
                var (_, @namespace) = await client.ResolveAsync(ObjectReference.Of(desired), ct);
                var reference = ObjectReference.Of(desired).InNamespace(@namespace);
                ObjectDrift? drift = null;
                // A controller may write the object between the dry run and the read (a Deployment's revision
                // annotation); compare only a dry run and a live object of the same resourceVersion.
                for (var attempt = 1; attempt <= 3; attempt++)
                {
                    var live = await client.TryGetAsync(reference, ct);
                    if (live is null)
                    {
                        drift = new ObjectDrift(reference, [], Missing: true);
                        break;
                    }

                    var dryRun = await client.ApplyAsync(desired, force: true, dryRun: true, ct);
                    var paths = JsonComparison.Differences(ServerManagedFields.Without(live), ServerManagedFields.Without(dryRun));
                    drift = paths.Count > 0 ? new ObjectDrift(reference, paths, Missing: false) : null;
                    if (ObjectMetadata.String(dryRun["metadata"]?["resourceVersion"]) == ObjectMetadata.String(live["metadata"]?["resourceVersion"]))
                    {
                        break;
                    }
                }

                if (drift is not null)
                {
                    lock (gate)
                    {
                        drifts.Add(drift);
                    }
                }
            });
        return drifts.OrderBy(d => d.Object.ToString(), StringComparer.Ordinal).ToList();
    }
}
