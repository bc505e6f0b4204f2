using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Apply;

/// <summary>The order objects are applied in: what others depend on (CRDs, Namespaces) first, then cluster-scoped objects, then namespaced ones.</summary>
public enum ApplyStage
{
    /// <summary>CustomResourceDefinitions and Namespaces; CRDs are waited for until Established.</summary>
    Definitions,

    /// <summary>Other cluster-scoped objects (ClusterRoles, StorageClasses, ...).</summary>
    ClusterScoped,

    /// <summary>Everything that lives in a namespace.</summary>
    Namespaced,
}

/// <summary>Sorts objects into <see cref="ApplyStage"/>s.</summary>
public static class ApplyStages
{
    /// <summary>Whether <paramref name="reference"/> belongs to the first stage.</summary>
    public static bool IsDefinition(ObjectReference reference) =>
        reference.GroupKind is ("", "Namespace") or ("apiextensions.k8s.io", "CustomResourceDefinition");
}
