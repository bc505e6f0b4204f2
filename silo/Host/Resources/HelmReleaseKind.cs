using Granary.Contracts.Grains;
using Granary.Contracts.Releases;
using Granary.Contracts.Resources;
using Granary.Grains.Releases;

namespace Granary.Silo.Resources;

/// <summary>Flux's HelmRelease (<c>helm.toolkit.fluxcd.io/v2</c>), served by <see cref="HelmReleaseGrain"/>.</summary>
public sealed class HelmReleaseKind : ResourceKind<HelmReleaseState>
{
    /// <inheritdoc />
    public override string Kind => "HelmRelease";

    /// <inheritdoc />
    public override string ApiVersion => HelmRelease.Version;

    /// <inheritdoc />
    public override string GrainKind => "helmrelease";

    /// <inheritdoc />
    public override int ApplyOrder => 20;

    /// <inheritdoc />
    public override Task ApplyAsync(IGrainFactory grains, ResourceDocument document) => Grain(grains, document.Key).ApplyAsync((HelmRelease)document);

    /// <inheritdoc />
    public override Task ReconcileAsync(IGrainFactory grains, string key, bool withSource) => Grain(grains, key).RequestReconcileAsync(withSource);

    /// <inheritdoc />
    public override Task SuspendAsync(IGrainFactory grains, string key, string? reason) => Grain(grains, key).SuspendAsync(reason);

    /// <inheritdoc />
    public override Task ResumeAsync(IGrainFactory grains, string key) => Grain(grains, key).ResumeAsync();

    /// <inheritdoc />
    public override Task DeleteAsync(IGrainFactory grains, string key) => Grain(grains, key).DeleteAsync();

    /// <inheritdoc />
    protected override HelmReleaseState Fold(HelmReleaseState state, object @event) => state.Apply(@event);

    /// <summary>The status the grain reports for the same state (a fleet's own, not its members'), folded from the log.</summary>
    protected override ResourceView View(string key, HelmReleaseState state, long version)
    {
        var release = HelmReleaseGrain.StatusOf(state, key);
        var spec = state.Spec;
        var status = ResourceViewStatus.Of(release.Exists, release.ObservedGeneration, release.Suspended, release.Conditions) with
        {
            LastAppliedRevision = release.LastAppliedRevision,
            LastAttemptedRevision = release.LastAttemptedRevision,
            Inventory = release.Inventory,
            Cluster = spec is null ? null : KustomizationKind.TargetOf(spec.ClusterRef, spec.KubeConfig, spec.ClusterSelector),
            SourceRef = spec?.Chart?.Spec.SourceRef is { } source ? $"{source.Kind}/{source.Namespace ?? key[..key.IndexOf('/')]}/{source.Name}" : null,
        };
        return new ResourceView(ApiVersion, Kind, Metadata(key, state), spec, status, version);
    }

    private static IHelmReleaseGrain Grain(IGrainFactory grains, string key) => grains.Get<IHelmReleaseGrain>(key);
}
