using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Sources.Helm;

namespace Granary.Silo.Resources;

/// <summary>Flux's HelmChart (<c>source.toolkit.fluxcd.io/v1</c>), served by <see cref="HelmChartGrain"/>.</summary>
public sealed class HelmChartKind : ResourceKind<HelmChartState>
{
    /// <inheritdoc />
    public override string Kind => "HelmChart";

    /// <inheritdoc />
    public override string ApiVersion => HelmChart.Version;

    /// <inheritdoc />
    public override string GrainKind => "helmchart";

    /// <summary>After the repositories it pulls from, before the HelmReleases that use it.</summary>
    public override int ApplyOrder => 15;

    /// <inheritdoc />
    public override Task ApplyAsync(IGrainFactory grains, ResourceDocument document) => Grain(grains, document.Key).ApplyAsync((HelmChart)document);

    /// <summary>Pulls the chart again; <paramref name="withSource"/> changes nothing (reconcile the HelmRepository or GitRepository itself to fetch it first).</summary>
    public override Task ReconcileAsync(IGrainFactory grains, string key, bool withSource) => Grain(grains, key).RequestReconcileAsync();

    /// <inheritdoc />
    public override Task SuspendAsync(IGrainFactory grains, string key, string? reason) => Grain(grains, key).SuspendAsync(reason);

    /// <inheritdoc />
    public override Task ResumeAsync(IGrainFactory grains, string key) => Grain(grains, key).ResumeAsync();

    /// <inheritdoc />
    public override Task DeleteAsync(IGrainFactory grains, string key) => Grain(grains, key).DeleteAsync();

    /// <inheritdoc />
    protected override HelmChartState Fold(HelmChartState state, object @event) => state.Apply(@event);

    /// <summary>The status the grain reports for the same state, folded from the log, with Flux's <c>observedChartName</c>.</summary>
    protected override ResourceView View(string key, HelmChartState state, long version)
    {
        var source = HelmChartGrain.StatusOf(state);
        var sourceRef = state.Spec is { } spec ? $"{spec.SourceRef.Kind}/{key[..key.IndexOf('/')]}/{spec.SourceRef.Name}" : null;
        var status = ResourceViewStatus.Of(source.Exists, source.ObservedGeneration, source.Suspended, source.Conditions)
            with { Artifact = source.Artifact, SourceRef = sourceRef, ObservedChartName = state.Chart?.Chart };
        return new ResourceView(ApiVersion, Kind, Metadata(key, state), state.Spec, status, version);
    }

    private static IHelmChartGrain Grain(IGrainFactory grains, string key) => grains.Get<IHelmChartGrain>(key);
}
