using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Sources;
using Granary.Grains.Sources.Git;

namespace Granary.Silo.Resources;

/// <summary>Flux's GitRepository (<c>source.toolkit.fluxcd.io/v1</c>), served by <see cref="GitRepositoryGrain"/>.</summary>
public sealed class GitRepositoryKind : ResourceKind<GitRepositoryState>
{
    /// <inheritdoc />
    public override string Kind => "GitRepository";

    /// <inheritdoc />
    public override string ApiVersion => GitRepository.Version;

    /// <inheritdoc />
    public override string GrainKind => "gitrepository";

    /// <inheritdoc />
    public override int ApplyOrder => 10;

    /// <inheritdoc />
    public override Task ApplyAsync(IGrainFactory grains, ResourceDocument document) => Grain(grains, document.Key).ApplyAsync((GitRepository)document);

    /// <summary>A source has nothing further upstream: <paramref name="withSource"/> changes nothing.</summary>
    public override Task ReconcileAsync(IGrainFactory grains, string key, bool withSource) => Grain(grains, key).RequestReconcileAsync();

    /// <inheritdoc />
    public override Task SuspendAsync(IGrainFactory grains, string key, string? reason) => Grain(grains, key).SuspendAsync(reason);

    /// <inheritdoc />
    public override Task ResumeAsync(IGrainFactory grains, string key) => Grain(grains, key).ResumeAsync();

    /// <inheritdoc />
    public override Task DeleteAsync(IGrainFactory grains, string key) => Grain(grains, key).DeleteAsync();

    /// <inheritdoc />
    protected override GitRepositoryState Fold(GitRepositoryState state, object @event) => state.Apply(@event);

    /// <summary>The status the grain reports for the same state (<see cref="GitRepositoryGrain.StatusOf"/>), folded from the log.</summary>
    protected override ResourceView View(string key, GitRepositoryState state, long version)
    {
        var source = GitRepositoryGrain.StatusOf(state);
        var status = ResourceViewStatus.Of(source.Exists, source.ObservedGeneration, source.Suspended, source.Conditions) with { Artifact = source.Artifact };
        // A URL may carry user info; credentials belong in secretRef and never leave through the API.
        var spec = state.Spec is null ? null : state.Spec with { Url = GitRepositoryUrl.Redact(state.Spec.Url) };
        return new ResourceView(ApiVersion, Kind, Metadata(key, state), spec, status, version);
    }

    private static IGitRepositoryGrain Grain(IGrainFactory grains, string key) => grains.Get<IGitRepositoryGrain>(key);
}
