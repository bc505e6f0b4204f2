using System.Text.Json.Nodes;

namespace Granary.Contracts.Resources;

/// <summary>A set of manifests applied from a source (<c>kustomize.toolkit.fluxcd.io/v1</c>, kind <c>Kustomization</c>).</summary>
public sealed record Kustomization : ResourceDocument
{
    /// <summary>The API version Granary reads.</summary>
    public const string Version = "kustomize.toolkit.fluxcd.io/v1";

    /// <summary>What to build and apply, where, and how.</summary>
    public required KustomizationSpec Spec { get; init; }
}

/// <summary>The desired state of a Kustomization, with Flux's field names.</summary>
public sealed record KustomizationSpec
{
    /// <summary>The source to build from.</summary>
    public required CrossNamespaceSourceReference SourceRef { get; init; }

    /// <summary>The directory in the source artifact (default: its root).</summary>
    public string? Path { get; init; }

    /// <summary>How often to reconcile.</summary>
    public required GoDuration Interval { get; init; }

    /// <summary>How soon to retry after a failure (default: the interval).</summary>
    public GoDuration? RetryInterval { get; init; }

    /// <summary>The deadline of build, apply and health checks (default: the interval).</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>Whether objects that left the source are deleted.</summary>
    public required bool Prune { get; init; }

    /// <summary>Wait for every applied object to become healthy.</summary>
    public bool Wait { get; init; }

    /// <summary>Objects whose health gates readiness.</summary>
    public List<HealthCheckReference>? HealthChecks { get; init; }

    /// <summary>Kustomizations that must be Ready first.</summary>
    public List<NamespacedObjectReference>? DependsOn { get; init; }

    /// <summary>Puts every namespaced object into this namespace.</summary>
    public string? TargetNamespace { get; init; }

    /// <summary>Prefix added to object names.</summary>
    public string? NamePrefix { get; init; }

    /// <summary>Suffix added to object names.</summary>
    public string? NameSuffix { get; init; }

    /// <summary>Labels and annotations added to every object.</summary>
    public CommonMetadata? CommonMetadata { get; init; }

    /// <summary>Strategic-merge or JSON6902 patches, with optional targets.</summary>
    public List<KustomizePatch>? Patches { get; init; }

    /// <summary>Image overrides.</summary>
    public List<KustomizeImage>? Images { get; init; }

    /// <summary>Kustomize components to include.</summary>
    public List<string>? Components { get; init; }

    /// <summary>Variable substitution after the build.</summary>
    public PostBuild? PostBuild { get; init; }

    /// <summary>SOPS decryption of Secrets.</summary>
    public Decryption? Decryption { get; init; }

    /// <summary>Apply as this ServiceAccount (impersonation).</summary>
    public string? ServiceAccountName { get; init; }

    /// <summary>Apply to another cluster, through a kubeconfig Secret.</summary>
    public KubeConfigReference? KubeConfig { get; init; }

    /// <summary>Apply to a Granary Cluster by name.</summary>
    public LocalObjectReference? ClusterRef { get; init; }

    /// <summary>Apply to every Granary Cluster of this namespace whose labels match (a fleet; Granary's own field).</summary>
    public Clusters.LabelSelector? ClusterSelector { get; init; }

    /// <summary>Recreate objects whose immutable fields changed.</summary>
    public bool Force { get; init; }

    /// <summary>Stop reconciling.</summary>
    public bool Suspend { get; init; }

    /// <summary>What happens to applied objects when the Kustomization is deleted (accepted; prune decides today).</summary>
    public string? DeletionPolicy { get; init; }
}

/// <summary>A source of a Kustomization: kind GitRepository (or OCIRepository/Bucket, not supported yet).</summary>
public sealed record CrossNamespaceSourceReference
{
    /// <summary>The source's API version (optional).</summary>
    public string? ApiVersion { get; init; }

    /// <summary>The source's kind, e.g. <c>GitRepository</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The source's name.</summary>
    public required string Name { get; init; }

    /// <summary>The source's namespace (default: the Kustomization's).</summary>
    public string? Namespace { get; init; }
}

/// <summary>An object whose health gates the Kustomization's readiness.</summary>
public sealed record HealthCheckReference
{
    /// <summary>Its API version.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>Its kind.</summary>
    public required string Kind { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Its namespace.</summary>
    public string? Namespace { get; init; }
}

/// <summary>Labels and annotations added to every applied object.</summary>
public sealed record CommonMetadata
{
    /// <summary>Labels.</summary>
    public Dictionary<string, string>? Labels { get; init; }

    /// <summary>Annotations.</summary>
    public Dictionary<string, string>? Annotations { get; init; }
}

/// <summary>A kustomize patch and the objects it targets.</summary>
public sealed record KustomizePatch
{
    /// <summary>The patch: strategic merge (YAML object) or JSON6902 (YAML list of operations).</summary>
    public required string Patch { get; init; }

    /// <summary>Which objects it applies to.</summary>
    public PatchTarget? Target { get; init; }
}

/// <summary>A kustomize patch selector.</summary>
public sealed record PatchTarget
{
    /// <summary>API group.</summary>
    public string? Group { get; init; }

    /// <summary>API version.</summary>
    public string? Version { get; init; }

    /// <summary>Kind.</summary>
    public string? Kind { get; init; }

    /// <summary>Name (a regular expression in kustomize).</summary>
    public string? Name { get; init; }

    /// <summary>Namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>Label selector.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Annotation selector.</summary>
    public string? AnnotationSelector { get; init; }
}

/// <summary>A kustomize image override.</summary>
public sealed record KustomizeImage
{
    /// <summary>The image name to match.</summary>
    public required string Name { get; init; }

    /// <summary>The replacement name.</summary>
    public string? NewName { get; init; }

    /// <summary>The replacement tag.</summary>
    public string? NewTag { get; init; }

    /// <summary>The replacement digest.</summary>
    public string? Digest { get; init; }
}

/// <summary>Variable substitution after the build (<c>${VAR}</c>, <c>${VAR:=default}</c>).</summary>
public sealed record PostBuild
{
    /// <summary>Variables given inline.</summary>
    public Dictionary<string, string>? Substitute { get; init; }

    /// <summary>ConfigMaps and Secrets whose data are variables.</summary>
    public List<SubstituteReference>? SubstituteFrom { get; init; }
}

/// <summary>A ConfigMap or Secret providing substitution variables.</summary>
public sealed record SubstituteReference
{
    /// <summary><c>ConfigMap</c> or <c>Secret</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Its name (in the Kustomization's namespace).</summary>
    public required string Name { get; init; }

    /// <summary>Whether a missing object is fine.</summary>
    public bool Optional { get; init; }
}

/// <summary>How encrypted Secrets are decrypted.</summary>
public sealed record Decryption
{
    /// <summary>The provider; only <c>sops</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>The Secret holding the age keys (<c>*.agekey</c> entries).</summary>
    public LocalObjectReference? SecretRef { get; init; }
}

/// <summary>A condition in Flux/kstatus style.</summary>
/// <param name="Type">Ready, Reconciling, Stalled, …</param>
/// <param name="Status">True, False or Unknown.</param>
/// <param name="Reason">A CamelCase reason, e.g. <c>ReconciliationSucceeded</c>.</param>
/// <param name="Message">A human-readable message.</param>
/// <param name="ObservedGeneration">The generation this condition describes.</param>
/// <param name="LastTransitionTime">When the status last changed.</param>
public sealed record Condition(string Type, string Status, string Reason, string Message, long ObservedGeneration, DateTimeOffset LastTransitionTime)
{
    /// <summary>The condition as it appears in a Kubernetes object's status.</summary>
    public JsonObject ToJson() => new()
    {
        ["type"] = Type,
        ["status"] = Status,
        ["reason"] = Reason,
        ["message"] = Message,
        ["observedGeneration"] = ObservedGeneration,
        ["lastTransitionTime"] = LastTransitionTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
    };
}
