using Granary.EventStore;
using Granary.Testing;
using Npgsql;

namespace Granary.Tests.EventStore;

public sealed class Hash_chain_detects_tampering : EventStoreTestBase
{
    [Fact]
    public async Task An_untouched_stream_verifies()
    {
        await Store.AppendAsync("chain-ok", ExpectedVersion.NoStream, Increments(1, 2, 3), new EventMetadata("c", null, "bob"));
        await Store.AppendAsync("chain-ok", ExpectedVersion.Exact(3), [EventData.Create(new NoteAdded("ünïcödé ✓ \"quoted\""))]);

        var result = await Store.VerifyStreamAsync("chain-ok");
        Assert.True(result.IsIntact, result.Reason);
        Assert.Equal(4, result.EventsVerified);
    }

    [Fact]
    public async Task Changing_an_event_with_sql_is_named_by_verification()
    {
        await Store.AppendAsync("chain-edit", ExpectedVersion.NoStream, Increments(1, 2, 3, 4));
        await ExecuteAsync($"UPDATE {Schema}.events SET data = '{{\"by\":200}}' WHERE stream_id = 'chain-edit' AND stream_version = 3");

        var result = await Store.VerifyStreamAsync("chain-edit");
        Assert.False(result.IsIntact);
        Assert.Equal(3, result.FirstBrokenVersion);
        Assert.Equal(2, result.EventsVerified);
        Assert.Contains("'chain-edit' version 3", result.Reason);
    }

    [Fact]
    public async Task Changing_metadata_or_deleting_the_last_event_is_detected()
    {
        await Store.AppendAsync("chain-actor", ExpectedVersion.NoStream, Increments(1, 2), new EventMetadata(Actor: "alice"));
        await ExecuteAsync($"UPDATE {Schema}.events SET actor = 'mallory' WHERE stream_id = 'chain-actor' AND stream_version = 1");
        Assert.Equal(1, (await Store.VerifyStreamAsync("chain-actor")).FirstBrokenVersion);

        await Store.AppendAsync("chain-cut", ExpectedVersion.NoStream, Increments(1, 2, 3));
        await ExecuteAsync($"DELETE FROM {Schema}.events WHERE stream_id = 'chain-cut' AND stream_version = 3");
        var cut = await Store.VerifyStreamAsync("chain-cut");
        Assert.False(cut.IsIntact);
        Assert.Contains("events end at 2", cut.Reason);

        var all = await Store.VerifyAllAsync();
        Assert.Equal(["chain-actor", "chain-cut"], all.Where(r => !r.IsIntact).Select(r => r.StreamId));
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
