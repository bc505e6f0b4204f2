using System.Diagnostics;
using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Testing;
using Granary.Testing.Runtime;
using Npgsql;

namespace Granary.Tests.Runtime.Cluster;

using Silo = Granary.Runtime.Silo;

/// <summary>
/// Silos on a PostgreSQL of the test's own, which the test stops: for good (the silos must stop serving before
/// their peers could declare them dead), or for a restart shorter than the lease (the silos must ride it out).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgreSQL_outages
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly Probe _probe = new();

    [Fact]
    public async Task A_silo_that_loses_PostgreSQL_stops_serving_within_its_lease()
    {
        await using var postgres = await PrivatePostgres.CreateAsync();
        await using var cluster = await StartClusterAsync(postgres, lease: TimeSpan.FromSeconds(3));
        var keys = await WarmUpAsync(cluster, "lost");

        await postgres.StopAsync(immediate: true);
        var lost = Stopwatch.StartNew();
        var terminations = await Task.WhenAll(cluster.Silos.Select(s => s.Terminated.WaitAsync(Deadline)));

        Assert.True(lost.Elapsed < cluster.Lease, $"the silos stopped serving {lost.Elapsed.TotalSeconds:0.0} s after PostgreSQL went away, within their {cluster.Lease.TotalSeconds:0} s lease");
        Assert.All(terminations, t => Assert.Contains("lease", t.Reason));
        Assert.All(terminations, t => Assert.Contains("last membership round failed", t.Reason));
        foreach (var silo in cluster.Silos)
        {
            // Refused at once, not left hanging: the grains already active here included.
            await Assert.ThrowsAsync<SiloUnavailableException>(() => silo.GrainFactory.Get<IEventCounterGrain>(keys[0]).IncrementAsync(1).WaitAsync(TimeSpan.FromSeconds(5)));
            await Assert.ThrowsAsync<SiloUnavailableException>(() => silo.GrainFactory.Get<IEventCounterGrain>("lost-new").GetAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_PostgreSQL_restart_is_survived_with_clear_retryable_errors_meanwhile(bool crash)
    {
        await using var postgres = await PrivatePostgres.CreateAsync();

        // A silo gives up after half its lease without a renewal: 10 s, far more than the restart takes.
        await using var cluster = await StartClusterAsync(postgres, lease: TimeSpan.FromSeconds(20));
        var keys = await WarmUpAsync(cluster, "restart");
        var silos = cluster.Silos.ToList();
        var addresses = silos.Select(s => s.Address).ToList();

        await postgres.StopAsync(immediate: crash);
        var down = Stopwatch.StartNew();
        var append = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => silos[0].GrainFactory.Get<IEventCounterGrain>(keys[0]).IncrementAsync(100));
        var activation = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => silos[1].GrainFactory.Get<IEventCounterGrain>("restart-new").IncrementAsync(100));
        Assert.True(down.Elapsed < TimeSpan.FromSeconds(5), $"calls failed promptly ({down.Elapsed.TotalSeconds:0.0} s)");
        foreach (var failure in new[] { append, activation })
        {
            Assert.IsAssignableFrom<RetryableGrainException>(failure);
            Assert.False(failure.OutcomeUnknown);
            Assert.Contains($"PostgreSQL at 127.0.0.1:{postgres.Port} is unreachable", failure.Message);
            Assert.Contains("can be retried", failure.Message);
        }

        // What an activation holds in memory is still served.
        Assert.Equal(silos.Count, (await silos[1].GrainFactory.Get<IEventCounterGrain>(keys[1]).GetAsync()).Total);

        await postgres.StartAsync();
        var restartedAt = await DatabaseTimeAsync(postgres);
        Assert.All(silos, s => Assert.False(s.Terminated.IsCompleted, $"silo {s.Address} kept serving through the restart"));

        // The very first calls after the restart succeed: no broken pooled connection is handed out.
        foreach (var silo in silos)
        {
            await Task.WhenAll(keys.Select(k => silo.GrainFactory.Get<IEventCounterGrain>(k).IncrementAsync(1)));
        }

        Assert.Equal(1, await silos[1].GrainFactory.Get<IEventCounterGrain>("restart-new").IncrementAsync(1));
        await cluster.WaitForViewAsync(v => v.DatabaseTime > restartedAt && v.ActiveSilos.Length == silos.Count, "every silo to renew its lease after the restart");
        Assert.Equal(addresses, silos.Select(s => s.Address));
        Assert.All(silos, s => Assert.False(s.Terminated.IsCompleted));
        foreach (var key in keys)
        {
            var view = await silos[0].GrainFactory.Get<IEventCounterGrain>(key).GetAsync();
            Assert.Equal((2 * silos.Count, 2L * silos.Count), (view.Total, view.Version));
            Assert.Equal(Enumerable.Range(1, 2 * silos.Count).Select(v => (long)v), await VersionsAsync(silos[0], key));
        }

        Assert.Equal([1L], await VersionsAsync(silos[0], "restart-new"));
    }

    private Task<TestCluster> StartClusterAsync(PrivatePostgres postgres, TimeSpan lease) =>
        TestCluster.StartAsync(2, c => RuntimeTestBase.Options(_probe, postgres.ConnectionString, c.Schema, callTimeout: Deadline, cluster: c.Cluster), lease: lease);

    /// <summary>Activates event counters spread over the silos, each incremented once through every silo.</summary>
    private static async Task<List<string>> WarmUpAsync(TestCluster cluster, string prefix)
    {
        var keys = Enumerable.Range(0, 10).Select(i => $"{prefix}-{i}").ToList();
        foreach (var silo in cluster.Silos)
        {
            await Task.WhenAll(keys.Select(k => silo.GrainFactory.Get<IEventCounterGrain>(k).IncrementAsync(1)));
        }

        return keys;
    }

    private static async Task<List<long>> VersionsAsync(Silo silo, string key)
    {
        var versions = new List<long>();
        await foreach (var recorded in silo.EventStore.ReadStreamAsync($"eventcounter/{key}"))
        {
            versions.Add(recorded.StreamVersion);
        }

        return versions;
    }

    private static async Task<DateTime> DatabaseTimeAsync(PrivatePostgres postgres)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT now()", connection);
        return (DateTime)(await command.ExecuteScalarAsync())!;
    }
}
