using Granary.Contracts.Deployments;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Grains.Deployments;

namespace Granary.Silo.Resources;

/// <summary>Flux's Kustomization (<c>kustomize.toolkit.fluxcd.io/v1</c>), served by <see cref="KustomizationGrain"/>.</summary>
public sealed class KustomizationKind : ResourceKind<KustomizationState>
{
    /// <summary>The name of the cluster the silo runs against (Kustomizations without kubeConfig or clusterRef apply there).</summary>
    public const string ManagementCluster = "management";

    /// <inheritdoc />
    public override string Kind => "Kustomization";

    /// <inheritdoc />
    public override string ApiVersion => Kustomization.Version;

    /// <inheritdoc />
    public override string GrainKind => "kustomization";

    /// <inheritdoc />
    public override int ApplyOrder => 20;

    /// <inheritdoc />
    public override Task ApplyAsync(IGrainFactory grains, ResourceDocument document) => Grain(grains, document.Key).ApplyAsync((Kustomization)document);

    /// <inheritdoc />
    public override Task ReconcileAsync(IGrainFactory grains, string key, bool withSource) => Grain(grains, key).RequestReconcileAsync(withSource);

    /// <inheritdoc />
    public override Task SuspendAsync(IGrainFactory grains, string key, string? reason) => Grain(grains, key).SuspendAsync(reason);

    /// <inheritdoc />
    public override Task ResumeAsync(IGrainFactory grains, string key) => Grain(grains, key).ResumeAsync();

    /// <inheritdoc />
    public override Task DeleteAsync(IGrainFactory grains, string key) => Grain(grains, key).DeleteAsync();

    /// <inheritdoc />
    protected override KustomizationState Fold(KustomizationState state, object @event) => state.Apply(@event);

    /// <summary>The status the grain reports for the same state (<see cref="KustomizationGrain.StatusOf"/>), folded from the log.</summary>
    protected override ResourceView View(string key, KustomizationState state, long version)
    {
        var deployment = KustomizationGrain.StatusOf(state);
        var spec = state.Spec;
        var status = ResourceViewStatus.Of(deployment.Exists, deployment.ObservedGeneration, deployment.Suspended, deployment.Conditions) with
        {
            LastAppliedRevision = deployment.LastAppliedRevision,
            LastAttemptedRevision = deployment.LastAttemptedRevision,
            Inventory = deployment.Inventory,
            Cluster = spec is null ? null : TargetOf(spec.ClusterRef, spec.KubeConfig, spec.ClusterSelector),
            SourceRef = spec is null ? null : $"{spec.SourceRef.Kind}/{spec.SourceRef.Namespace ?? key[..key.IndexOf('/')]}/{spec.SourceRef.Name}",
            Declared = state.Resources.Count == 0 ? null : state.Resources.Select(r => r[..r.LastIndexOf('|')]).ToList(),
        };
        return new ResourceView(ApiVersion, Kind, Metadata(key, state), spec, status, version);
    }

    /// <summary>
    /// Where a Kustomization or HelmRelease applies, as its status names it: the <c>clusterRef</c>'s name,
    /// <c>kubeconfig:&lt;secret&gt;</c>, <c>fleet</c> for a <c>clusterSelector</c>, or <see cref="ManagementCluster"/>.
    /// </summary>
    public static string TargetOf(LocalObjectReference? clusterRef, KubeConfigReference? kubeConfig, Contracts.Clusters.LabelSelector? clusterSelector) =>
        clusterRef?.Name ?? (kubeConfig is not null ? $"kubeconfig:{kubeConfig.SecretRef.Name}" : clusterSelector is not null ? "fleet" : ManagementCluster);

    private static IKustomizationGrain Grain(IGrainFactory grains, string key) => grains.Get<IKustomizationGrain>(key);
}
