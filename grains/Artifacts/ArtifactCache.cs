namespace Granary.Grains.Artifacts;

/// <summary>
/// Artifacts read into memory, shared by every grain of a silo that builds from them: a thousand Kustomizations of
/// one GitRepository read its artifact once, not a thousand times. Keyed by digest (so entries never go stale) and
/// bounded by total content size, least recently used first out.
/// </summary>
public sealed class ArtifactCache(ArtifactExtractor extractor, long maxBytes = 256L * 1024 * 1024)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recent = new();
    private long _bytes;

    /// <summary>The artifact with <paramref name="digest"/>; <paramref name="load"/> supplies its tar.gz on a miss (once, however many callers wait).</summary>
    /// <exception cref="ArtifactException">The artifact is refused by the extractor's checks (never cached).</exception>
    public async Task<ArtifactFiles> GetAsync(string digest, Func<CancellationToken, Task<byte[]>> load, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_lock)
        {
            if (_entries.TryGetValue(digest, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                entry = node.Value;
            }
            else
            {
                entry = new Entry(digest, new Lazy<Task<ArtifactFiles>>(() => ReadAsync(load)));
                _entries[digest] = _recent.AddFirst(entry);
            }
        }

        try
        {
            var files = await entry.Files.Value.WaitAsync(cancellationToken);
            Account(entry, files.Bytes);
            return files;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Forget(entry);
            throw;
        }
    }

    private async Task<ArtifactFiles> ReadAsync(Func<CancellationToken, Task<byte[]>> load)
    {
        // Not the caller's token: other callers share this read.
        var bytes = await load(CancellationToken.None);
        return await extractor.ReadAsync(bytes, CancellationToken.None);
    }

    private void Account(Entry entry, long bytes)
    {
        lock (_lock)
        {
            if (entry.Bytes != 0 || !_entries.ContainsKey(entry.Digest))
            {
                return;
            }

            entry.Bytes = Math.Max(1, bytes);
            _bytes += entry.Bytes;
            if (entry.Bytes > maxBytes)
            {
                Remove(entry); // larger than the whole cache: used by the callers that waited for it, not kept
                return;
            }

            while (_bytes > maxBytes && _recent.Last is { } oldest && oldest.Value != entry)
            {
                Remove(oldest.Value);
            }
        }
    }

    private void Forget(Entry entry)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(entry.Digest, out var node) && node.Value == entry)
            {
                Remove(entry);
            }
        }
    }

    private void Remove(Entry entry)
    {
        _recent.Remove(_entries[entry.Digest]);
        _entries.Remove(entry.Digest);
        _bytes -= entry.Bytes;
    }

    private sealed class Entry(string digest, Lazy<Task<ArtifactFiles>> files)
    {
        public string Digest { get; } = digest;

        public Lazy<Task<ArtifactFiles>> Files { get; } = files;

        public long Bytes { get; set; }
    }
}
