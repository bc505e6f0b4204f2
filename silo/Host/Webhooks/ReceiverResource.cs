using System.Text.Json.Serialization;
using Granary.Contracts.Grains;
using Granary.Contracts.Sources;

namespace Granary.Silo.Webhooks;

/// <summary>A source a receiver reconciles when a delivery triggers it.</summary>
/// <param name="Kind"><c>GitRepository</c>, <c>HelmRepository</c>, <c>OCIRepository</c> or <c>HelmChart</c>.</param>
/// <param name="Namespace">Its namespace.</param>
/// <param name="Name">Its name.</param>
public sealed record ReceiverResource(string Kind, string Namespace, string Name)
{
    /// <summary>The kinds a receiver can reconcile.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["GitRepository", "HelmRepository", "OCIRepository", "HelmChart"];

    /// <summary>The resource's key, <c>namespace/name</c>.</summary>
    [JsonIgnore]
    public string Key => $"{Namespace}/{Name}";

    /// <summary>Whether the resource has been applied (a receiver may name one that is applied later, or was deleted).</summary>
    public async Task<bool> ExistsAsync(IGrainFactory grains) => (await (Kind switch
    {
        "GitRepository" => grains.Get<IGitRepositoryGrain>(Key).GetStatusAsync(),
        "HelmRepository" => grains.Get<IHelmRepositoryGrain>(Key).GetStatusAsync(),
        "OCIRepository" => grains.Get<IOCIRepositoryGrain>(Key).GetStatusAsync(),
        "HelmChart" => grains.Get<IHelmChartGrain>(Key).GetStatusAsync(),
        _ => throw Unsupported(),
    })).Exists;

    /// <summary>Asks the source to fetch now, recorded with the caller's actor; completes when the fetch has finished.</summary>
    public Task<SourceStatus> RequestReconcileAsync(IGrainFactory grains) => Kind switch
    {
        "GitRepository" => grains.Get<IGitRepositoryGrain>(Key).RequestReconcileAsync(),
        "HelmRepository" => grains.Get<IHelmRepositoryGrain>(Key).RequestReconcileAsync(),
        "OCIRepository" => grains.Get<IOCIRepositoryGrain>(Key).RequestReconcileAsync(),
        "HelmChart" => grains.Get<IHelmChartGrain>(Key).RequestReconcileAsync(),
        _ => throw Unsupported(),
    };

    private InvalidOperationException Unsupported() => new($"{Kind} {Key}: a receiver cannot reconcile a {Kind}; use {string.Join(" or ", Kinds)}");

    /// <summary>Kind and key, e.g. <c>GitRepository flux-system/fleet</c>.</summary>
    public override string ToString() => $"{Kind} {Key}";
}
