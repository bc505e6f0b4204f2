using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Sources.Oci;

namespace Granary.Silo.Resources;

/// <summary>Flux's OCIRepository (<c>source.toolkit.fluxcd.io/v1beta2</c>, <c>v1</c> read too), served by <see cref="OCIRepositoryGrain"/>.</summary>
public sealed class OCIRepositoryKind : ResourceKind<OCIRepositoryState>
{
    /// <inheritdoc />
    public override string Kind => "OCIRepository";

    /// <inheritdoc />
    public override string ApiVersion => OCIRepository.Version;

    /// <inheritdoc />
    public override string GrainKind => "ocirepository";

    /// <inheritdoc />
    public override int ApplyOrder => 10;

    /// <inheritdoc />
    public override Task ApplyAsync(IGrainFactory grains, ResourceDocument document) => Grain(grains, document.Key).ApplyAsync((OCIRepository)document);

    /// <summary>A source has nothing further upstream: <paramref name="withSource"/> changes nothing.</summary>
    public override Task ReconcileAsync(IGrainFactory grains, string key, bool withSource) => Grain(grains, key).RequestReconcileAsync();

    /// <inheritdoc />
    public override Task SuspendAsync(IGrainFactory grains, string key, string? reason) => Grain(grains, key).SuspendAsync(reason);

    /// <inheritdoc />
    public override Task ResumeAsync(IGrainFactory grains, string key) => Grain(grains, key).ResumeAsync();

    /// <inheritdoc />
    public override Task DeleteAsync(IGrainFactory grains, string key) => Grain(grains, key).DeleteAsync();

    /// <inheritdoc />
    protected override OCIRepositoryState Fold(OCIRepositoryState state, object @event) => state.Apply(@event);

    /// <summary>The status the grain reports for the same state, folded from the log.</summary>
    protected override ResourceView View(string key, OCIRepositoryState state, long version)
    {
        var source = OCIRepositoryGrain.StatusOf(state);
        var status = ResourceViewStatus.Of(source.Exists, source.ObservedGeneration, source.Suspended, source.Conditions) with { Artifact = source.Artifact };
        return new ResourceView(ApiVersion, Kind, Metadata(key, state), state.Spec, status, version);
    }

    private static IOCIRepositoryGrain Grain(IGrainFactory grains, string key) => grains.Get<IOCIRepositoryGrain>(key);
}
