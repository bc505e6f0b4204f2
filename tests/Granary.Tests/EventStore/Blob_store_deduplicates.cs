using System.Security.Cryptography;
using System.Text;
using Granary.Testing;
using Npgsql;

namespace Granary.Tests.EventStore;

public sealed class Blob_store_deduplicates : EventStoreTestBase
{
    [Fact]
    public async Task The_same_content_is_stored_once_under_its_sha256()
    {
        var content = Encoding.UTF8.GetBytes("apiVersion: v1\nkind: ConfigMap\n");
        var first = await Store.Blobs.PutAsync(content);
        var second = await Store.Blobs.PutAsync(content.ToArray());

        Assert.Equal(first, second);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)), first);
        Assert.Equal(content, await Store.Blobs.GetAsync(first));
        Assert.True(await Store.Blobs.ExistsAsync(first));
        Assert.Equal(1L, await CountBlobsAsync());

        var other = await Store.Blobs.PutAsync(new byte[] { 0, 1, 2 });
        Assert.NotEqual(first, other);
        Assert.Equal(2L, await CountBlobsAsync());
    }

    [Fact]
    public async Task Unknown_digests_read_as_missing_and_malformed_ones_are_refused()
    {
        var missing = "sha256:" + new string('0', 64);
        Assert.Null(await Store.Blobs.GetAsync(missing));
        Assert.False(await Store.Blobs.ExistsAsync(missing));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.Blobs.GetAsync("md5:abc"));
        Assert.Contains("sha256:", error.Message);
    }

    private async Task<long> CountBlobsAsync()
    {
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Schema}.blobs", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
