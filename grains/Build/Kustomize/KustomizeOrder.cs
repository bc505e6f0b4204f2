using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Build.Kustomize;

/// <summary>
/// kustomize's default ("legacy") output order: a fixed list of kinds first (Namespaces, CRDs, RBAC, config,
/// Services, workloads), webhook configurations last, everything else between by group/version/kind; then by
/// namespace and name.
/// </summary>
internal static class KustomizeOrder
{
    private static readonly string[] First =
    [
        "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy",
        "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service",
        "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet",
        "CronJob", "PodDisruptionBudget",
    ];

    private static readonly string[] Last = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

    /// <summary>Sorts in place and returns the list.</summary>
    public static List<JsonObject> Sort(List<JsonObject> objects)
    {
        var keyed = objects.Select((o, i) => (Object: o, Rank: Rank(o), Gvk: Gvk(o), Id: Id(o), Index: i)).ToList();
        keyed.Sort((a, b) =>
        {
            var order = a.Rank.CompareTo(b.Rank);
            if (order == 0)
            {
                order = string.CompareOrdinal(a.Gvk, b.Gvk);
            }

            if (order == 0)
            {
                order = string.CompareOrdinal(a.Id, b.Id);
            }

            return order != 0 ? order : a.Index.CompareTo(b.Index);
        });
        objects.Clear();
        objects.AddRange(keyed.Select(k => k.Object));
        return objects;
    }

    private static int Rank(JsonObject item)
    {
        var kind = PlainDirectoryRenderer.Kind(item);
        var first = Array.IndexOf(First, kind);
        if (first >= 0)
        {
            return first - First.Length;
        }

        var last = Array.IndexOf(Last, kind);
        return last >= 0 ? last + 1 : 0;
    }

    private static string Gvk(JsonObject item)
    {
        var apiVersion = ObjectMetadata.String(item["apiVersion"]) ?? string.Empty;
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "~G" : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        return $"{group}_{(version.Length == 0 ? "~V" : version)}_{PlainDirectoryRenderer.Kind(item)}";
    }

    private static string Id(JsonObject item)
    {
        var metadata = item["metadata"] as JsonObject;
        var ns = ObjectMetadata.String(metadata?["namespace"]);
        return $"{(string.IsNullOrEmpty(ns) ? "~X" : ns)}|{ObjectMetadata.String(metadata?["name"])}";
    }
}
