using System.Text.Json;

namespace Granary.Contracts.Resources;

/// <summary>A Helm release kept in sync with a chart (<c>helm.toolkit.fluxcd.io/v2</c>, kind <c>HelmRelease</c>).</summary>
public sealed record HelmRelease : ResourceDocument
{
    /// <summary>The API version Granary reads.</summary>
    public const string Version = "helm.toolkit.fluxcd.io/v2";

    /// <summary>Which chart, which values, where, and how to remediate.</summary>
    public required HelmReleaseSpec Spec { get; init; }
}

/// <summary>The desired state of a HelmRelease, with Flux's field names.</summary>
public sealed record HelmReleaseSpec
{
    /// <summary>The chart template: chart name, version constraint and source.</summary>
    public HelmChartTemplate? Chart { get; init; }

    /// <summary>A HelmChart or OCIRepository whose artifact is the chart (instead of <c>chart</c>).</summary>
    public CrossNamespaceObjectReference? ChartRef { get; init; }

    /// <summary>How often to reconcile.</summary>
    public required GoDuration Interval { get; init; }

    /// <summary>The deadline of each Helm action, health waits included (default 5m).</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>The release name (default <c>[targetNamespace-]name</c>).</summary>
    public string? ReleaseName { get; init; }

    /// <summary>The namespace the release is installed in (default: the HelmRelease's).</summary>
    public string? TargetNamespace { get; init; }

    /// <summary>Where Helm keeps release records (accepted; Granary keeps them as events).</summary>
    public string? StorageNamespace { get; init; }

    /// <summary>HelmReleases that must be Ready first.</summary>
    public List<NamespacedObjectReference>? DependsOn { get; init; }

    /// <summary>Install settings.</summary>
    public HelmInstall? Install { get; init; }

    /// <summary>Upgrade settings.</summary>
    public HelmUpgrade? Upgrade { get; init; }

    /// <summary>Rollback settings.</summary>
    public HelmRollback? Rollback { get; init; }

    /// <summary>Uninstall settings.</summary>
    public HelmUninstall? Uninstall { get; init; }

    /// <summary>Helm test settings (accepted; tests are not run yet).</summary>
    public JsonElement? Test { get; init; }

    /// <summary>What to do when cluster objects differ from the release.</summary>
    public DriftDetection? DriftDetection { get; init; }

    /// <summary>Values given inline; they win over <c>valuesFrom</c>.</summary>
    public JsonElement? Values { get; init; }

    /// <summary>ConfigMaps and Secrets holding values, merged in order.</summary>
    public List<HelmValuesReference>? ValuesFrom { get; init; }

    /// <summary>Stop reconciling.</summary>
    public bool Suspend { get; init; }

    /// <summary>How many Helm release records to keep (accepted; Granary's history is its event log and unbounded).</summary>
    public int? MaxHistory { get; init; }

    /// <summary>Apply as this ServiceAccount (impersonation).</summary>
    public string? ServiceAccountName { get; init; }

    /// <summary>Install into another cluster through a kubeconfig Secret.</summary>
    public KubeConfigReference? KubeConfig { get; init; }

    /// <summary>Install into a Granary Cluster by name.</summary>
    public LocalObjectReference? ClusterRef { get; init; }

    /// <summary>Install into every Granary Cluster of this namespace whose labels match (a fleet; Granary's own field).</summary>
    public Clusters.LabelSelector? ClusterSelector { get; init; }

    /// <summary>Keep a persistent client (accepted; no effect in Granary).</summary>
    public bool? PersistentClient { get; init; }

    /// <summary>Post renderers (not supported yet).</summary>
    public JsonElement? PostRenderers { get; init; }
}

/// <summary>The chart of a HelmRelease.</summary>
public sealed record HelmChartTemplate
{
    /// <summary>The chart's name, version and source.</summary>
    public required HelmChartTemplateSpec Spec { get; init; }

    /// <summary>Labels and annotations for the generated HelmChart (accepted; in Granary <c>chart.spec</c> pulls the chart itself, without a HelmChart object — use <c>chartRef</c> for one).</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>Which chart, which version, from where.</summary>
public sealed record HelmChartTemplateSpec
{
    /// <summary>The chart's name in the repository (or its path in a GitRepository).</summary>
    public required string Chart { get; init; }

    /// <summary>A SemVer constraint as Helm writes it (default <c>*</c>: the newest release).</summary>
    public string? Version { get; init; }

    /// <summary>The HelmRepository (or GitRepository) holding the chart.</summary>
    public required CrossNamespaceObjectReference SourceRef { get; init; }

    /// <summary>How often to check the source for a new chart (accepted; the source tells the release).</summary>
    public GoDuration? Interval { get; init; }

    /// <summary>ChartVersion or Revision (accepted; only ChartVersion today).</summary>
    public string? ReconcileStrategy { get; init; }

    /// <summary>Values files inside the chart, merged in order over its values.yaml.</summary>
    public List<string>? ValuesFiles { get; init; }

    /// <summary>Skip a missing values file instead of failing.</summary>
    public bool IgnoreMissingValuesFiles { get; init; }

    /// <summary>Signature verification (accepted; not enforced yet).</summary>
    public JsonElement? Verify { get; init; }
}

/// <summary>A reference to an object in this or another namespace, with its kind.</summary>
public sealed record CrossNamespaceObjectReference
{
    /// <summary>The API version (optional).</summary>
    public string? ApiVersion { get; init; }

    /// <summary>The kind, e.g. <c>HelmRepository</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace (default: the referrer's).</summary>
    public string? Namespace { get; init; }
}

/// <summary>Install settings.</summary>
public sealed record HelmInstall
{
    /// <summary>The deadline of the install (default: spec.timeout).</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>What to do when the install fails.</summary>
    public HelmInstallRemediation? Remediation { get; init; }

    /// <summary>Skip, Create (default) or CreateReplace: how the chart's crds/ directory is handled.</summary>
    public string? Crds { get; init; }

    /// <summary>Create the target namespace if it is missing.</summary>
    public bool CreateNamespace { get; init; }

    /// <summary>Do not wait for the objects to become ready.</summary>
    public bool DisableWait { get; init; }

    /// <summary>Do not wait for Jobs (accepted).</summary>
    public bool DisableWaitForJobs { get; init; }

    /// <summary>Do not run hooks (hooks are never run by Granary yet).</summary>
    public bool DisableHooks { get; init; }

    /// <summary>Skip OpenAPI validation (accepted).</summary>
    public bool DisableOpenAPIValidation { get; init; }

    /// <summary>Reuse a release name (accepted).</summary>
    public bool Replace { get; init; }

    /// <summary>Skip CRDs (deprecated in Flux; use crds: Skip).</summary>
    public bool SkipCRDs { get; init; }
}

/// <summary>Install remediation: retries, each failure uninstalled before the next try.</summary>
public sealed record HelmInstallRemediation
{
    /// <summary>How many times to retry a failed install (default 0).</summary>
    public int Retries { get; init; }

    /// <summary>Ignore failing tests (accepted).</summary>
    public bool IgnoreTestFailures { get; init; }

    /// <summary>Remediate the last failure too (default true when retries &gt; 0).</summary>
    public bool? RemediateLastFailure { get; init; }
}

/// <summary>Upgrade settings.</summary>
public sealed record HelmUpgrade
{
    /// <summary>The deadline of the upgrade (default: spec.timeout).</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>What to do when the upgrade fails.</summary>
    public HelmUpgradeRemediation? Remediation { get; init; }

    /// <summary>Skip (default), Create or CreateReplace: how the chart's crds/ directory is handled.</summary>
    public string? Crds { get; init; }

    /// <summary>Do not wait for the objects to become ready.</summary>
    public bool DisableWait { get; init; }

    /// <summary>Do not wait for Jobs (accepted).</summary>
    public bool DisableWaitForJobs { get; init; }

    /// <summary>Do not run hooks (hooks are never run by Granary yet).</summary>
    public bool DisableHooks { get; init; }

    /// <summary>Skip OpenAPI validation (accepted).</summary>
    public bool DisableOpenAPIValidation { get; init; }

    /// <summary>Recreate objects whose immutable fields changed.</summary>
    public bool Force { get; init; }

    /// <summary>Keep the previous release's values (accepted).</summary>
    public bool PreserveValues { get; init; }

    /// <summary>Delete objects created by a failed upgrade (accepted; prune does it).</summary>
    public bool CleanupOnFail { get; init; }
}

/// <summary>Upgrade remediation: retries, and rollback or uninstall after each failure.</summary>
public sealed record HelmUpgradeRemediation
{
    /// <summary>How many times to retry a failed upgrade (default 0).</summary>
    public int Retries { get; init; }

    /// <summary>Ignore failing tests (accepted).</summary>
    public bool IgnoreTestFailures { get; init; }

    /// <summary>Remediate the last failure too (default true when retries &gt; 0).</summary>
    public bool? RemediateLastFailure { get; init; }

    /// <summary><c>rollback</c> (default) or <c>uninstall</c>.</summary>
    public string? Strategy { get; init; }
}

/// <summary>Rollback settings.</summary>
public sealed record HelmRollback
{
    /// <summary>The deadline of the rollback.</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>Do not wait for the objects to become ready.</summary>
    public bool DisableWait { get; init; }

    /// <summary>Do not wait for Jobs (accepted).</summary>
    public bool DisableWaitForJobs { get; init; }

    /// <summary>Do not run hooks (accepted).</summary>
    public bool DisableHooks { get; init; }

    /// <summary>Recreate objects whose immutable fields changed.</summary>
    public bool Force { get; init; }

    /// <summary>Recreate pods (accepted).</summary>
    public bool Recreate { get; init; }

    /// <summary>Delete objects created by a failed rollback (accepted).</summary>
    public bool CleanupOnFail { get; init; }
}

/// <summary>Uninstall settings.</summary>
public sealed record HelmUninstall
{
    /// <summary>The deadline of the uninstall.</summary>
    public GoDuration? Timeout { get; init; }

    /// <summary>Keep the release history (Granary always keeps it as events).</summary>
    public bool KeepHistory { get; init; }

    /// <summary>Do not run hooks (accepted).</summary>
    public bool DisableHooks { get; init; }

    /// <summary>Do not wait for deletion (accepted).</summary>
    public bool DisableWait { get; init; }

    /// <summary>background (default), foreground or orphan.</summary>
    public string? DeletionPropagation { get; init; }
}

/// <summary>Drift detection: compare the cluster with the release on every reconcile.</summary>
public sealed record DriftDetection
{
    /// <summary><c>enabled</c> (detect and correct), <c>warn</c> (detect and report) or <c>disabled</c> (default).</summary>
    public string? Mode { get; init; }

    /// <summary>Paths to ignore (not supported yet: a release that sets it is refused with a clear message).</summary>
    public JsonElement? Ignore { get; init; }
}

/// <summary>A ConfigMap or Secret holding values for a HelmRelease.</summary>
public sealed record HelmValuesReference
{
    /// <summary><c>ConfigMap</c> or <c>Secret</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Its name, in the HelmRelease's namespace.</summary>
    public required string Name { get; init; }

    /// <summary>The data key holding the values (default <c>values.yaml</c>).</summary>
    public string? ValuesKey { get; init; }

    /// <summary>Put the key's text at this dotted path instead of merging it as YAML.</summary>
    public string? TargetPath { get; init; }

    /// <summary>Whether a missing object or key is fine.</summary>
    public bool Optional { get; init; }
}
