using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Grains.Releases;

/// <summary>
/// Renders shared by every HelmRelease of a silo, keyed by all of <c>helm template</c>'s inputs (chart digest, values
/// digest, release name, namespace, cluster capabilities): the same release of a chart installed on many clusters with the
/// same capabilities renders once. Concurrent requests for one key wait for one render; entries are kept as compact JSON
/// and the oldest leave beyond <paramref name="capacity"/>. A failed render is not kept.
/// </summary>
public sealed class RenderCache(int capacity = 1024)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<Entry>>> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    /// <summary>The render for <paramref name="key"/>, from the cache or by <paramref name="render"/>; <c>Reused</c> says which.</summary>
    public async Task<(HelmRenderResult Result, bool Reused)> GetAsync(string key, Func<Task<HelmRenderResult>> render)
    {
        var mine = new Lazy<Task<Entry>>(async () =>
        {
            var result = await render();
            return new Entry(JsonSerializer.SerializeToUtf8Bytes(new JsonArray(result.Objects.Select(o => (JsonNode)o.DeepClone()).ToArray())), result.SkippedHooks);
        });
        var lazy = _entries.GetOrAdd(key, mine);
        if (ReferenceEquals(lazy, mine))
        {
            _order.Enqueue(key);
            while (_entries.Count > capacity && _order.TryDequeue(out var oldest))
            {
                _entries.TryRemove(oldest, out _);
            }
        }

        Entry entry;
        try
        {
            entry = await lazy.Value;
        }
        catch
        {
            _entries.TryRemove(KeyValuePair.Create(key, lazy));
            throw;
        }

        var objects = JsonNode.Parse(entry.Objects)!.AsArray().Select(o => o!.AsObject()).ToList();
        return (new HelmRenderResult(objects, entry.SkippedHooks), !ReferenceEquals(lazy, mine));
    }

    private sealed record Entry(byte[] Objects, IReadOnlyList<string> SkippedHooks);
}
