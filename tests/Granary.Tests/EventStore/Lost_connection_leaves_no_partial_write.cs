using Granary.EventStore;
using Granary.Testing;
using Npgsql;

namespace Granary.Tests.EventStore;

public sealed class Lost_connection_leaves_no_partial_write : EventStoreTestBase
{
    [Fact]
    public async Task A_backend_killed_in_the_middle_of_an_append_writes_nothing()
    {
        await Store.AppendAsync("cut-1", ExpectedVersion.NoStream, Increments(1));
        var batch = Increments(2, 3, 4);

        // Another session inserts one of the batch's event ids without committing, so our append's INSERT
        // (after it locked the stream) waits on it. Then we kill our append's backend.
        await using var blocker = new NpgsqlConnection(TestPostgres.ConnectionString);
        await blocker.OpenAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO {Schema}.events (event_id, stream_id, stream_version, type, schema_version, data, created_at, hash) VALUES ($1, 'elsewhere', 1, 'x', 1, '{{}}', now(), '\\x00')",
            blocker, blocking))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = batch[1].EventId });
            await insert.ExecuteNonQueryAsync();
        }

        var append = Store.AppendAsync("cut-1", ExpectedVersion.Exact(1), batch);
        int? victim = null;
        await Eventually.WaitUntilAsync(async () => (victim = await FindBlockedAppendAsync()) is not null, TimeSpan.FromSeconds(30), "the append to block inside its INSERT");
        await using (var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1)", blocker, blocking))
        {
            kill.Parameters.Add(new NpgsqlParameter { Value = victim!.Value });
            await kill.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAnyAsync<Exception>(() => append);
        await blocking.RollbackAsync();

        Assert.Equal(1, await Store.GetStreamVersionAsync("cut-1"));
        Assert.Single(await ReadAsync("cut-1"));
        Assert.True((await Store.VerifyStreamAsync("cut-1")).IsIntact);
        var retried = await Store.AppendAsync("cut-1", ExpectedVersion.Exact(1), batch);
        Assert.Equal(4, retried.NextExpectedVersion);
    }

    private async Task<int?> FindBlockedAppendAsync()
    {
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO {Schema}.events%' LIMIT 1", connection);
        return await command.ExecuteScalarAsync() as int?;
    }
}
