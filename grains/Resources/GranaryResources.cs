using Granary.Contracts.Clusters;
using Granary.Contracts.Deployments;
using Granary.Contracts.Releases;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;

namespace Granary.Grains.Resources;

/// <summary>
/// Granary's own resources as grains: applies a parsed document to the grain of its kind and key, or deletes one. Used
/// where resources arrive from Git (a Kustomization's build output) rather than from the API; each kind is one line.
/// </summary>
public sealed class GranaryResources
{
    private readonly Dictionary<string, Registration> _kinds = new(StringComparer.Ordinal);

    /// <summary>GitRepository, Kustomization, Cluster, HelmRepository, HelmChart, OCIRepository and HelmRelease: declared to their grains, which reconcile on their own turns.</summary>
    public static GranaryResources Standard() => new GranaryResources()
        .Add<GitRepository, IGitRepositoryGrain>("GitRepository", (grain, resource) => grain.DeclareAsync(resource), grain => grain.DeleteAsync())
        .Add<Kustomization, IKustomizationGrain>("Kustomization", (grain, resource) => grain.DeclareAsync(resource), grain => grain.DeleteAsync())
        .Add<Cluster, IClusterGrain>("Cluster", (grain, resource) => grain.DeclareAsync(resource), grain => grain.DeleteAsync())
        .Add<HelmRepository, IHelmRepositoryGrain>("HelmRepository", (grain, resource) => grain.DeclareAsync(resource), grain => grain.DeleteAsync())
        .Add<HelmChart, IHelmChartGrain>("HelmChart", (grain, resource) => grain.DeclareAsync(resource), grain => grain.DeleteAsync())
        .Add<OCIRepository, IOCIRepositoryGrain>("OCIRepository", (grain, resource) => grain.DeclareAsync(resource), grain => grain.DeleteAsync())
        .Add<HelmRelease, IHelmReleaseGrain>("HelmRelease", (grain, resource) => grain.DeclareAsync(resource), grain => grain.DeleteAsync());

    /// <summary>Adds a kind: how to declare a document to its grain (returning its generation) and how to delete it.</summary>
    public GranaryResources Add<TResource, TGrain>(string kind, Func<TGrain, TResource, Task<long>> apply, Func<TGrain, Task> delete)
        where TResource : ResourceDocument
        where TGrain : IGrain
    {
        _kinds[kind] = new Registration(
            (grains, resource) => apply(grains.Get<TGrain>(resource.Key), (TResource)resource),
            (grains, key) => delete(grains.Get<TGrain>(key)));
        return this;
    }

    /// <summary>Whether the kind is one of these resources.</summary>
    public bool Knows(string kind) => _kinds.ContainsKey(kind);

    /// <summary>Applies <paramref name="resource"/> to its grain; returns its generation afterwards.</summary>
    public Task<long> ApplyAsync(IGrainFactory grains, ResourceDocument resource) =>
        _kinds.TryGetValue(resource.Kind, out var registration)
            ? registration.Apply(grains, resource)
            : throw new InvalidOperationException($"{resource.Kind} {resource.Key} is not a resource this silo runs; run it with a silo that has its grains.");

    /// <summary>Deletes the resource of <paramref name="kind"/> with <paramref name="key"/> (<c>namespace/name</c>).</summary>
    public Task DeleteAsync(IGrainFactory grains, string kind, string key) =>
        _kinds.TryGetValue(kind, out var registration)
            ? registration.Delete(grains, key)
            : throw new InvalidOperationException($"{kind} {key} is not a resource this silo runs.");

    private sealed record Registration(Func<IGrainFactory, ResourceDocument, Task<long>> Apply, Func<IGrainFactory, string, Task> Delete);
}
