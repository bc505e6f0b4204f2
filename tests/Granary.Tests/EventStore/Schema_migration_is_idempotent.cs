using Granary.EventStore;
using Granary.EventStore.Schema;
using Granary.Testing;
using Npgsql;

namespace Granary.Tests.EventStore;

public sealed class Schema_migration_is_idempotent : EventStoreTestBase
{
    [Fact]
    public async Task Running_migrations_again_changes_nothing_and_keeps_the_data()
    {
        await Store.AppendAsync("mig-1", ExpectedVersion.NoStream, Increments(1, 2));
        await using var dataSource = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
        var migrator = new SchemaMigrator(dataSource, Options);

        Assert.Equal(0, await migrator.MigrateAsync());
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => migrator.MigrateAsync()));
        Assert.All(concurrent, ran => Assert.Equal(0, ran));
        Assert.Equal(2, (await ReadAsync("mig-1")).Count);

        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Schema}.schema_migrations", await dataSource.OpenConnectionAsync());
        Assert.Equal((long)SchemaMigrator.LatestVersion, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_fresh_schema_is_created_from_nothing_by_concurrent_starters()
    {
        var schema = TestPostgres.NewSchema("mig");
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
            var options = new EventStoreOptions { ConnectionString = TestPostgres.ConnectionString, Schema = schema };
            var ran = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => new SchemaMigrator(dataSource, options).MigrateAsync()));
            Assert.Equal(SchemaMigrator.LatestVersion, ran.Sum());
        }
        finally
        {
            await TestPostgres.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public void A_schema_name_that_is_not_a_plain_identifier_is_refused()
    {
        var options = new EventStoreOptions { ConnectionString = TestPostgres.ConnectionString, Schema = "granary; drop table x" };
        var error = Assert.Throws<ArgumentException>(() => new SchemaMigrator(NpgsqlDataSource.Create(options.ConnectionString), options).MigrateAsync().GetAwaiter().GetResult());
        Assert.Contains("not a plain identifier", error.Message);
    }
}
