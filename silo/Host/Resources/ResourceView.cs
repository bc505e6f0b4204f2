using Granary.Contracts.Resources;
using Granary.Contracts.Sources;

namespace Granary.Silo.Resources;

/// <summary>A resource as the API shows it: Flux's shape (apiVersion, kind, metadata, spec, status) plus its stream version.</summary>
/// <param name="ApiVersion">The resource's API version.</param>
/// <param name="Kind">The resource's kind.</param>
/// <param name="Metadata">Name, namespace, generation and labels.</param>
/// <param name="Spec">The spec last applied (null once deleted).</param>
/// <param name="Status">Status as Flux shows it.</param>
/// <param name="Version">The stream version this view reflects.</param>
public sealed record ResourceView(string ApiVersion, string Kind, ResourceViewMetadata Metadata, object? Spec, ResourceViewStatus Status, long Version)
{
    /// <summary>The key, <c>namespace/name</c>.</summary>
    public string Key => $"{Metadata.Namespace}/{Metadata.Name}";
}

/// <summary>A resource's metadata.</summary>
/// <param name="Name">The name.</param>
/// <param name="Namespace">The namespace.</param>
/// <param name="Generation">How many spec changes were applied.</param>
/// <param name="Labels">The labels last applied.</param>
public sealed record ResourceViewMetadata(string Name, string Namespace, long Generation, Dictionary<string, string>? Labels);

/// <summary>A resource's status.</summary>
/// <param name="Exists">False once deleted.</param>
/// <param name="ObservedGeneration">The generation the last reconcile saw.</param>
/// <param name="Suspended">Suspended through the API or by <c>spec.suspend</c>.</param>
/// <param name="Ready">The Ready condition's status: True, False or Unknown.</param>
/// <param name="Reason">The Ready condition's reason.</param>
/// <param name="Message">The Ready condition's message.</param>
/// <param name="Conditions">Every condition, Flux/kstatus style.</param>
/// <param name="LastAppliedRevision">A Kustomization's last applied source revision.</param>
/// <param name="LastAttemptedRevision">A Kustomization's last attempted source revision.</param>
/// <param name="Artifact">A source's latest artifact.</param>
/// <param name="Inventory">The objects a Kustomization applied, as Flux inventory ids.</param>
/// <param name="Cluster">Where a Kustomization applies: <c>management</c> or the referenced cluster.</param>
/// <param name="SourceRef">A Kustomization's or HelmChart's source, <c>Kind/namespace/name</c>.</param>
/// <param name="ObservedChartName">A HelmChart's chart name, as its latest artifact has it.</param>
/// <param name="Declared">The Granary resources a Kustomization's build declared to Granary itself (self-management), as <c>Kind namespace/name</c>.</param>
public sealed record ResourceViewStatus(
    bool Exists,
    long ObservedGeneration,
    bool Suspended,
    string Ready,
    string? Reason,
    string? Message,
    IReadOnlyList<Condition> Conditions,
    string? LastAppliedRevision = null,
    string? LastAttemptedRevision = null,
    SourceArtifact? Artifact = null,
    IReadOnlyList<string>? Inventory = null,
    string? Cluster = null,
    string? SourceRef = null,
    string? ObservedChartName = null,
    IReadOnlyList<string>? Declared = null)
{
    /// <summary>The status fields every resource has, from its conditions.</summary>
    public static ResourceViewStatus Of(bool exists, long observedGeneration, bool suspended, IReadOnlyList<Condition> conditions)
    {
        var ready = conditions.FirstOrDefault(c => c.Type == "Ready");
        return new ResourceViewStatus(exists, observedGeneration, suspended, ready?.Status ?? "Unknown", ready?.Reason, ready?.Message, conditions);
    }
}
