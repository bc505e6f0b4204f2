using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Discovery;

/// <summary>
/// Maps API version + kind to REST resources from discovery. Servers that offer aggregated discovery (v1.26+) describe every
/// group in two requests (<c>/api</c>, <c>/apis</c>); older ones (v1.20) are asked per group version, and only for the
/// group versions actually used. Results are cached; a miss fetches the group version again, so a CRD applied a moment
/// ago becomes usable as soon as it is Established.
/// </summary>
public sealed class RestMapper
{
    private const string AggregatedAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    private readonly Func<string, string?, CancellationToken, Task<JsonObject?>> get;
    private readonly ConcurrentDictionary<string, Task<IReadOnlyDictionary<string, ResourceMapping>?>> groupVersions = new();
    private readonly SemaphoreSlim aggregatedGate = new(1, 1);
    private bool? aggregated;

    /// <summary>Uses <paramref name="get"/> (path, Accept header → JSON, null on 404) to read discovery documents.</summary>
    internal RestMapper(Func<string, string?, CancellationToken, Task<JsonObject?>> get) => this.get = get;

    /// <summary>Whether the server answered with aggregated discovery (null until first asked).</summary>
    public bool? UsesAggregatedDiscovery => aggregated;

    /// <summary>The mapping for <paramref name="apiVersion"/> and <paramref name="kind"/>; refreshes discovery once on a miss.</summary>
    public async Task<ResourceMapping> MapAsync(string apiVersion, string kind, CancellationToken cancellationToken, ObjectReference? forObject = null)
    {
        await EnsureAggregatedAsync(cancellationToken);
        if ((await ResourcesAsync(apiVersion, refresh: false, cancellationToken))?.GetValueOrDefault(kind) is { } cached)
        {
            return cached;
        }

        if ((await ResourcesAsync(apiVersion, refresh: true, cancellationToken))?.GetValueOrDefault(kind) is { } fresh)
        {
            return fresh;
        }

        throw new UnknownKindException(
            $"The cluster does not serve kind {kind} in {apiVersion}{(forObject is null ? "" : $" (for {forObject})")}: install its CustomResourceDefinition first, or use an API version this server offers.",
            forObject);
    }

    /// <summary>Forgets everything discovered, e.g. after CRDs were deleted.</summary>
    public void Invalidate() => groupVersions.Clear();

    private async Task<IReadOnlyDictionary<string, ResourceMapping>?> ResourcesAsync(string apiVersion, bool refresh, CancellationToken cancellationToken)
    {
        if (refresh)
        {
            groupVersions.TryRemove(apiVersion, out _);
        }

        var task = groupVersions.GetOrAdd(apiVersion, v => FetchGroupVersionAsync(v, CancellationToken.None));
        try
        {
            return await task.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Never cache a failed fetch; the next caller tries again.
            groupVersions.TryRemove(new KeyValuePair<string, Task<IReadOnlyDictionary<string, ResourceMapping>?>>(apiVersion, task));
            throw;
        }
    }

    private async Task<IReadOnlyDictionary<string, ResourceMapping>?> FetchGroupVersionAsync(string apiVersion, CancellationToken cancellationToken)
    {
        var slash = apiVersion.IndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        var list = await get(group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}", null, cancellationToken);
        if (list is null)
        {
            return null;
        }

        var mappings = new Dictionary<string, ResourceMapping>();
        foreach (var resource in (list["resources"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var name = ObjectMetadata.String(resource["name"]);
            var kind = ObjectMetadata.String(resource["kind"]);
            // Subresources (deployments/status, pods/log) share their parent's kind; only the top-level resource maps.
            if (name is null || kind is null || name.Contains('/'))
            {
                continue;
            }

            mappings.TryAdd(kind, new ResourceMapping(group, version, kind, name, resource["namespaced"] is JsonValue n && n.GetValue<bool>()));
        }

        return mappings;
    }

    /// <summary>On first use, asks for aggregated discovery; when offered, fills the cache for every group version at once.</summary>
    private async Task EnsureAggregatedAsync(CancellationToken cancellationToken)
    {
        if (aggregated is not null)
        {
            return;
        }

        await aggregatedGate.WaitAsync(cancellationToken);
        try
        {
            if (aggregated is not null)
            {
                return;
            }

            var apis = await get("/apis", AggregatedAccept, cancellationToken);
            if (ObjectMetadata.String(apis?["kind"]) != "APIGroupDiscoveryList")
            {
                aggregated = false; // v1.20 answers a plain APIGroupList whatever we ask for
                return;
            }

            var core = await get("/api", AggregatedAccept, cancellationToken);
            foreach (var discovery in new[] { core, apis })
            {
                foreach (var group in (discovery?["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    var groupName = ObjectMetadata.String(group["metadata"]?["name"]) ?? "";
                    foreach (var version in (group["versions"] as JsonArray)?.OfType<JsonObject>() ?? [])
                    {
                        var versionName = ObjectMetadata.String(version["version"]) ?? "";
                        var mappings = new Dictionary<string, ResourceMapping>();
                        foreach (var resource in (version["resources"] as JsonArray)?.OfType<JsonObject>() ?? [])
                        {
                            var name = ObjectMetadata.String(resource["resource"]);
                            var kind = ObjectMetadata.String(resource["responseKind"]?["kind"]);
                            if (name is not null && kind is not null)
                            {
                                mappings.TryAdd(kind, new ResourceMapping(groupName, versionName, kind, name, ObjectMetadata.String(resource["scope"]) == "Namespaced"));
                            }
                        }

                        var apiVersion = groupName.Length == 0 ? versionName : $"{groupName}/{versionName}";
                        groupVersions[apiVersion] = Task.FromResult<IReadOnlyDictionary<string, ResourceMapping>?>(mappings);
                    }
                }
            }

            aggregated = true;
        }
        finally
        {
            aggregatedGate.Release();
        }
    }
}
