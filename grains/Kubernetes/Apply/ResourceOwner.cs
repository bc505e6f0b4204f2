using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Apply;

/// <summary>
/// The GitOps resource that owns applied objects, written onto them as Flux does: labels <c>&lt;group&gt;/name</c> and
/// <c>&lt;group&gt;/namespace</c> (group <c>kustomize.toolkit.fluxcd.io</c> for a Kustomization, <c>helm.toolkit.fluxcd.io</c> for a HelmRelease).
/// </summary>
public sealed record ResourceOwner(string Name, string Namespace, string LabelGroup = ResourceOwner.KustomizeGroup)
{
    /// <summary>The label group of Kustomizations.</summary>
    public const string KustomizeGroup = "kustomize.toolkit.fluxcd.io";

    /// <summary>The label or annotation that keeps an object from being pruned when set to <see cref="PruneDisabled"/>.</summary>
    public const string PruneKey = "kustomize.toolkit.fluxcd.io/prune";

    /// <summary>The value of <see cref="PruneKey"/> that disables pruning.</summary>
    public const string PruneDisabled = "disabled";

    /// <summary>The label naming the owner.</summary>
    public string NameLabel => $"{LabelGroup}/name";

    /// <summary>The label naming the owner's namespace.</summary>
    public string NamespaceLabel => $"{LabelGroup}/namespace";

    /// <summary>A label selector for objects of this owner.</summary>
    public string Selector => $"{NameLabel}={Name},{NamespaceLabel}={Namespace}";

    /// <summary>Writes the owner labels onto <paramref name="obj"/>.</summary>
    public void Label(JsonObject obj)
    {
        ObjectMetadata.SetLabel(obj, NameLabel, Name);
        ObjectMetadata.SetLabel(obj, NamespaceLabel, Namespace);
    }

    /// <summary>Whether the live object still carries this owner's labels (another owner may have taken it over).</summary>
    public bool Owns(JsonObject live) =>
        ObjectMetadata.Label(live, NameLabel) == Name && ObjectMetadata.Label(live, NamespaceLabel) == Namespace;

    /// <summary>Whether the object asks not to be pruned (label or annotation <c>kustomize.toolkit.fluxcd.io/prune: disabled</c>).</summary>
    public static bool PruneIsDisabled(JsonObject live) =>
        ObjectMetadata.Annotation(live, PruneKey) == PruneDisabled || ObjectMetadata.Label(live, PruneKey) == PruneDisabled;

    /// <inheritdoc />
    public override string ToString() => $"{Namespace}/{Name}";
}
