using Granary.Runtime.Membership;
using Granary.Testing;
using Npgsql;

namespace Granary.Tests.Runtime.Cluster;

public sealed class Membership_changes_are_compare_and_swapped : ClusterTestBase
{
    [Fact]
    public async Task Silos_joining_together_all_become_active_and_each_change_bumps_the_version()
    {
        var views = Cluster.Live.Select(s => s.ClusterView!).ToList();

        Assert.All(views, v => Assert.Equal(3, v.ActiveSilos.Length));

        // Three silos, each Joining then Active: six changes, each one compare-and-swap on the version.
        await Cluster.WaitForViewAsync(v => v.Version == 6, "every silo to read table version 6");
        Assert.Equal(3, Cluster.Live.Select(s => s.Address!.Value.Generation).Distinct().Count());
    }

    [Fact]
    public async Task A_change_made_on_a_stale_version_is_refused()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
        var table = new MembershipTable(dataSource, Cluster.Schema);
        var view = await table.ReadAsync(CancellationToken.None);
        var stranger = new SiloAddress("stranger", await table.NextGenerationAsync(CancellationToken.None));

        Assert.True(await table.TryInsertAsync(view.Version, stranger, "stranger", CancellationToken.None));
        Assert.False(await table.TryUpdateAsync(view.Version, stranger, SiloStatus.Active, [], null, CancellationToken.None));

        var after = await table.ReadAsync(CancellationToken.None);
        Assert.Equal(view.Version + 1, after.Version);
        Assert.Equal(SiloStatus.Joining, after.StatusOf(stranger));
    }

    [Fact]
    public async Task A_dead_row_never_changes_again()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
        var table = new MembershipTable(dataSource, Cluster.Schema);
        var stranger = new SiloAddress("stranger", await table.NextGenerationAsync(CancellationToken.None));
        Assert.True(await table.TryInsertAsync((await table.ReadAsync(CancellationToken.None)).Version, stranger, "stranger", CancellationToken.None));
        Assert.True(await table.TryUpdateAsync((await table.ReadAsync(CancellationToken.None)).Version, stranger, SiloStatus.Dead, [], null, CancellationToken.None));

        Assert.False(await table.TryUpdateAsync((await table.ReadAsync(CancellationToken.None)).Version, stranger, SiloStatus.Active, [], null, CancellationToken.None));
        Assert.Null(await table.RenewLeaseAsync(stranger, CancellationToken.None));
    }
}
