using System.Text.Json.Nodes;
using Granary.Contracts.Deployments;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Drift;

/// <summary>
/// What applying one prepared manifest would change, as <c>flux diff</c> shows it: a server-side dry-run apply compared
/// with the live object, ignoring server-managed fields, reported field by field. A Secret's values (its data, stringData
/// and kubectl's last-applied annotation) are masked: a diff says that they change, never what they are.
/// </summary>
public static class DryRunDiff
{
    /// <summary>How a masked value prints.</summary>
    public const string Mask = "\"***\"";

    /// <summary>How a masked value that changes prints after the change.</summary>
    public const string ChangedMask = "\"*** (changed)\"";

    /// <summary>The diff of <paramref name="manifest"/> (owner-labelled and defaulted as the apply sends it) against the cluster.</summary>
    public static async Task<ObjectDiff> OfAsync(KubernetesClient client, ObjectReference reference, JsonObject manifest, CancellationToken cancellationToken)
    {
        try
        {
            var live = await client.TryGetAsync(reference, cancellationToken);
            if (live is null)
            {
                return Diff(reference, DiffAction.Created, []);
            }

            JsonObject dryRun;
            for (var attempt = 1; ; attempt++)
            {
                // A controller may write the object between the read and the dry run: compare the same resourceVersion.
                dryRun = await client.ApplyAsync(manifest, force: true, dryRun: true, cancellationToken);
                if (attempt == 3 || ObjectMetadata.String(dryRun["metadata"]?["resourceVersion"]) == ObjectMetadata.String(live["metadata"]?["resourceVersion"]))
                {
                    break;
                }

                live = await client.TryGetAsync(reference, cancellationToken) ?? live;
            }

            var secret = reference.Kind == "Secret" && reference.GroupKind.Group.Length == 0;
            var fields = JsonComparison.Compare(ServerManagedFields.Without(live), ServerManagedFields.Without(dryRun))
                .Select(d => secret && IsSecretValue(d.Path)
                    ? new FieldDiff(d.Path, d.From is null ? null : Mask, d.To is null ? null : ChangedMask)
                    : new FieldDiff(d.Path, d.From?.ToJsonString(), d.To?.ToJsonString()))
                .ToList();
            return Diff(reference, fields.Count == 0 ? DiffAction.Unchanged : DiffAction.Configured, fields);
        }
        catch (KubernetesException exception)
        {
            // The server's message may quote a value it refused: never one of a Secret's.
            var message = reference.Kind == "Secret" ? $"the dry run was refused ({exception.GetType().Name})" : exception.Message;
            return Diff(reference, DiffAction.Failed, [], message);
        }
    }

    /// <summary>An object the apply would prune.</summary>
    public static ObjectDiff Pruned(ObjectReference reference) => Diff(reference, DiffAction.Deleted, []);

    private static ObjectDiff Diff(ObjectReference reference, DiffAction action, IReadOnlyList<FieldDiff> fields, string? message = null) =>
        new(reference.ApiVersion, reference.Kind, reference.Namespace, reference.Name, action, fields, message);

    private static bool IsSecretValue(string path) =>
        path == ".data" || path.StartsWith(".data.", StringComparison.Ordinal)
        || path == ".stringData" || path.StartsWith(".stringData.", StringComparison.Ordinal)
        || path == ".metadata" || path == ".metadata.annotations"
        || path.StartsWith(".metadata.annotations.\"kubectl.kubernetes.io/last-applied-configuration\"", StringComparison.Ordinal);
}
