using System.Collections.Concurrent;
using Granary.Testing;
using Granary.Testing.Runtime;
using Npgsql;

namespace Granary.Tests.Runtime.Cluster.Processes;

/// <summary>What a counter grain in a silo process answers.</summary>
public sealed record NodeCount(int Total, long Version, string Silo);

/// <summary>Starts silo processes (tests/ClusterNode) on loopback; helpers to call counters through them and read their streams.</summary>
[Collection(ClusterCollection.Name)]
public abstract class SiloProcessTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    protected SiloProcessCluster Cluster { get; private set; } = null!;

    protected virtual int SiloCount => 3;

    public async Task InitializeAsync() => Cluster = await SiloProcessCluster.StartAsync(SiloCount);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    protected static Task<NodeCount> IncrementAsync(SiloProcess via, string key, CancellationToken cancellationToken = default) =>
        via.PostAsync<NodeCount>($"/counters/{Uri.EscapeDataString(key)}/increment", cancellationToken: cancellationToken);

    protected static Task<NodeCount> GetAsync(SiloProcess via, string key) => via.GetAsync<NodeCount>($"/counters/{Uri.EscapeDataString(key)}");

    /// <summary>The versions of a counter's stream, in order.</summary>
    protected async Task<List<long>> VersionsAsync(string key)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT stream_version FROM {Cluster.Schema}.events WHERE stream_id = @id ORDER BY seq", connection);
        command.Parameters.AddWithValue("id", $"nodecounter/{key}");
        var versions = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }

    /// <summary>
    /// Asserts each counter's stream is 1..n with no gap, repeat or fork (in append order), that the grain answers total n,
    /// and that every acknowledged increment is in it (each acknowledged version once).
    /// </summary>
    protected async Task AssertStreamsIntactAsync(IEnumerable<string> keys, ConcurrentDictionary<string, ConcurrentBag<NodeCount>> acknowledged, SiloProcess via)
    {
        foreach (var key in keys)
        {
            var versions = await VersionsAsync(key);
            Assert.Equal(Enumerable.Range(1, versions.Count).Select(v => (long)v), versions);
            var current = await GetAsync(via, key);
            Assert.Equal((versions.Count, (long)versions.Count), (current.Total, current.Version));
            var acks = acknowledged.GetValueOrDefault(key) ?? [];
            Assert.All(acks, a => Assert.Equal(a.Total, (int)a.Version));
            Assert.Equal(acks.Count, acks.Select(a => a.Version).Distinct().Count());
            Assert.True(acks.Count <= versions.Count, $"{key}: {acks.Count} increments acknowledged but only {versions.Count} events stored");
        }
    }

    /// <summary>Keeps incrementing <paramref name="keys"/> through <paramref name="callers"/> until cancelled; records answers and failures.</summary>
    protected sealed class Load(IReadOnlyList<string> keys, Func<IReadOnlyList<SiloProcess>> callers, int concurrency)
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _running;

        public ConcurrentDictionary<string, ConcurrentBag<NodeCount>> Acknowledged { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        public int Calls => Acknowledged.Values.Sum(b => b.Count);

        public void Start() => _running = Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            for (var n = worker; !_stop.IsCancellationRequested; n += concurrency)
            {
                var via = callers();
                var key = keys[n % keys.Count];
                var node = via[n % via.Count];
                try
                {
                    // Not cancelled on stop: a call abandoned by the client would still run in the silo, after the streams are read.
                    var answer = await IncrementAsync(node, key);
                    Acknowledged.GetOrAdd(key, _ => []).Add(answer);
                }
                catch (Exception exception)
                {
                    Failures.Enqueue($"{key} via {node.Endpoint}: {exception.Message}");
                }
            }
        })));

        /// <summary>Stops starting calls and waits for those in flight.</summary>
        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _running!;
        }
    }
}
