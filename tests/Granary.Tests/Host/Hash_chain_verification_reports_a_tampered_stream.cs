using Granary.Testing;
using Npgsql;

namespace Granary.Tests.Host;

public sealed class Hash_chain_verification_reports_a_tampered_stream : HostTestBase
{
    [Fact]
    public async Task An_edited_event_breaks_its_stream_at_that_version_and_the_global_check_names_it()
    {
        await ApplyOkAsync($"{GitRepositoryYaml("fleet")}\n---\n{GitRepositoryYaml("other")}");
        var intact = await GetJsonAsync(ResourcePath("GitRepository", "fleet", "verify"));
        Assert.True(intact["isIntact"]!.GetValue<bool>());
        Assert.Equal(2, intact["eventsVerified"]!.GetValue<long>());

        // Someone with database access rewrites history: the interval of the first spec.
        await using (var connection = new NpgsqlConnection(TestPostgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"UPDATE {Schema}.events SET data = replace(data::text, '10m0s', '99m0s')::json WHERE stream_id = $1 AND stream_version = 1", connection);
            command.Parameters.AddWithValue($"gitrepository/{Ns}/fleet");
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var tampered = await GetJsonAsync(ResourcePath("GitRepository", "fleet", "verify"));
        Assert.False(tampered["isIntact"]!.GetValue<bool>());
        Assert.Equal(1, tampered["firstBrokenVersion"]!.GetValue<long>());
        Assert.Contains("changed after it was written", tampered["reason"]!.GetValue<string>());

        var all = await GetJsonAsync("/api/v1/audit/verify");
        Assert.False(all["intact"]!.GetValue<bool>());
        Assert.Equal(2, all["streams"]!.GetValue<int>());
        var broken = Assert.Single(all["broken"]!.AsArray());
        Assert.Equal($"gitrepository/{Ns}/fleet", broken!["streamId"]!.GetValue<string>());
        Assert.True((await GetJsonAsync(ResourcePath("GitRepository", "other", "verify")))["isIntact"]!.GetValue<bool>());
    }
}
