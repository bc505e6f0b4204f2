using Granary.Contracts.Clusters;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Grains.Clusters;

namespace Granary.Silo.Resources;

/// <summary>Granary's Cluster (<c>fleet.granary.dev/v1alpha1</c>), served by <see cref="ClusterGrain"/>.</summary>
public sealed class ClusterKind : ResourceKind<ClusterState>
{
    /// <inheritdoc />
    public override string Kind => "Cluster";

    /// <inheritdoc />
    public override string ApiVersion => Cluster.Version;

    /// <inheritdoc />
    public override string GrainKind => "cluster";

    /// <inheritdoc />
    public override int ApplyOrder => 5;

    /// <inheritdoc />
    public override Task ApplyAsync(IGrainFactory grains, ResourceDocument document) => Grain(grains, document.Key).ApplyAsync((Cluster)document);

    /// <summary>Probes now; a Cluster has no source, so <paramref name="withSource"/> changes nothing.</summary>
    public override Task ReconcileAsync(IGrainFactory grains, string key, bool withSource) => Grain(grains, key).RequestReconcileAsync();

    /// <inheritdoc />
    public override Task SuspendAsync(IGrainFactory grains, string key, string? reason) => Grain(grains, key).SuspendAsync(reason);

    /// <inheritdoc />
    public override Task ResumeAsync(IGrainFactory grains, string key) => Grain(grains, key).ResumeAsync();

    /// <inheritdoc />
    public override Task DeleteAsync(IGrainFactory grains, string key) => Grain(grains, key).DeleteAsync();

    /// <inheritdoc />
    protected override ClusterState Fold(ClusterState state, object @event) => state.Apply(@event);

    /// <summary>The status the grain reports for the same state, folded from the log.</summary>
    protected override ResourceView View(string key, ClusterState state, long version)
    {
        var cluster = ClusterGrain.StatusOf(state);
        var status = ResourceViewStatus.Of(cluster.Exists, cluster.ObservedGeneration, cluster.Suspended, cluster.Conditions) with { Cluster = cluster.Server };
        return new ResourceView(ApiVersion, Kind, Metadata(key, state), state.Spec, status, version);
    }

    private static IClusterGrain Grain(IGrainFactory grains, string key) => grains.Get<IClusterGrain>(key);
}
