using Granary.Runtime;
using Granary.Runtime.Membership;
using Granary.Testing;
using Npgsql;

namespace Granary.Tests.Runtime.Cluster;

public sealed class Failed_silos_are_declared_dead : ClusterTestBase
{
    [Fact]
    public async Task A_silo_that_stops_heartbeating_is_declared_dead_with_two_votes_when_three_are_alive()
    {
        var victim = Cluster.Silos[2];

        await Cluster.CrashAsync(victim);
        await WaitForStatusAsync(victim, SiloStatus.Dead);

        var row = Cluster.Live.First().ClusterView!.Find(victim.Address!.Value)!;
        Assert.Equal(2, row.Suspicions.Select(v => v.Voter).Distinct().Count());
        Assert.All(Cluster.Live, s => Assert.Equal(2, s.ClusterView!.ActiveSilos.Length));
    }

    [Fact]
    public async Task A_lone_survivor_declares_its_peer_dead_with_one_vote()
    {
        await Cluster.StopAsync(Cluster.Silos[0]);
        var victim = Cluster.Silos[2];

        await Cluster.CrashAsync(victim);
        await WaitForStatusAsync(victim, SiloStatus.Dead);

        var row = Cluster.Live.Single().ClusterView!.Find(victim.Address!.Value)!;
        Assert.Single(row.Suspicions);
    }

    [Fact]
    public async Task A_silo_that_reads_itself_dead_stops_serving()
    {
        var victim = Cluster.Silos[1];
        await using var dataSource = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
        var table = new MembershipTable(dataSource, Cluster.Schema);
        Assert.True(await table.TryUpdateAsync((await table.ReadAsync(CancellationToken.None)).Version, victim.Address!.Value, SiloStatus.Dead, [], null, CancellationToken.None));

        var termination = await victim.Terminated.WaitAsync(Deadline);

        Assert.Contains("dead", termination.Reason);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => victim.GrainFactory.Get<IEventCounterGrain>("after-death").IncrementAsync(1));
    }

    [Fact]
    public async Task A_silo_that_cannot_renew_its_lease_stops_serving_before_its_peers_may_declare_it_dead()
    {
        var victim = Cluster.Silos[1];
        await using var dataSource = NpgsqlDataSource.Create(TestPostgres.ConnectionString);

        // Lock the victim's row: its renewals hang, as they would with its database connection gone.
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"SELECT 1 FROM {Cluster.Schema}.membership WHERE endpoint = $1 AND generation = $2 FOR UPDATE", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = victim.Address!.Value.Endpoint });
            command.Parameters.Add(new NpgsqlParameter { Value = victim.Address!.Value.Generation });
            await command.ExecuteNonQueryAsync();
        }

        var termination = await victim.Terminated.WaitAsync(Deadline);
        Assert.Contains("lease", termination.Reason);

        // It stopped while its row was still alive: nobody could have taken its grains yet.
        var view = await new MembershipTable(dataSource, Cluster.Schema).ReadAsync(CancellationToken.None);
        Assert.NotEqual(SiloStatus.Dead, view.StatusOf(victim.Address!.Value));
        await transaction.RollbackAsync();
        await Assert.ThrowsAsync<SiloUnavailableException>(() => victim.GrainFactory.Get<IEventCounterGrain>("after-lease").IncrementAsync(1));
    }
}
