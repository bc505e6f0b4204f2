using Granary.Grains.Kubernetes.Client;

namespace Granary.Grains.Releases;

/// <summary>What <c>helm template</c> needs to know about the target cluster: its version and the API versions it serves.</summary>
/// <param name="KubeVersion">e.g. <c>v1.20.2</c>.</param>
/// <param name="ApiVersions">e.g. <c>v1</c>, <c>apps/v1</c>, sorted.</param>
public sealed record ClusterCapabilities(string KubeVersion, IReadOnlyList<string> ApiVersions)
{
    /// <summary>A stable text form, part of the render cache key.</summary>
    public string Fingerprint => $"{KubeVersion}|{string.Join(',', ApiVersions)}";
}

/// <summary>Reads a cluster's capabilities from discovery, cached for a short while (CRDs installed by a release show up on the next read).</summary>
public sealed class ClusterCapabilitiesReader(KubernetesClient cluster, TimeProvider clock, TimeSpan? maxAge = null)
{
    private readonly TimeSpan _maxAge = maxAge ?? TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (ClusterCapabilities Value, DateTimeOffset At)? _cached;

    /// <summary>The capabilities, from the cache when fresh.</summary>
    public async Task<ClusterCapabilities> ReadAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } fresh && clock.GetUtcNow() - fresh.At < _maxAge)
        {
            return fresh.Value;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } again && clock.GetUtcNow() - again.At < _maxAge)
            {
                return again.Value;
            }

            var version = (await cluster.GetServerVersionAsync(cancellationToken))["gitVersion"]?.GetValue<string>() ?? "v1.20.0";
            var plus = version.IndexOf('+');
            var capabilities = new ClusterCapabilities(plus > 0 ? version[..plus] : version, await cluster.GetApiVersionsAsync(cancellationToken));
            _cached = (capabilities, clock.GetUtcNow());
            return capabilities;
        }
        finally
        {
            _gate.Release();
        }
    }
}
