using System.Security.Cryptography;
using Npgsql;
using static Granary.EventStore.PostgresSql;

namespace Granary.EventStore.Blobs;

/// <summary>
/// Content-addressed storage for large payloads (artifacts, rendered manifests): stored once under
/// <c>sha256:&lt;hex&gt;</c>, so events carry only the digest.
/// </summary>
public sealed class BlobStore
{
    private const string Prefix = "sha256:";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;

    internal BlobStore(NpgsqlDataSource dataSource, EventStoreOptions options)
    {
        _dataSource = dataSource;
        _schema = options.CheckedSchema;
    }

    /// <summary>The digest <see cref="PutAsync"/> returns for <paramref name="content"/>.</summary>
    public static string DigestOf(ReadOnlySpan<byte> content) => Prefix + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Stores <paramref name="content"/> unless identical content is already stored; returns its digest.</summary>
    public async Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var digest = DigestOf(content.Span);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            $"INSERT INTO {_schema}.blobs (digest, size, data) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING",
            Text(digest), Int64(content.Length), Bytes(content.ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return digest;
    }

    /// <summary>Reads the content stored under <paramref name="digest"/>, or null when there is none.</summary>
    public async Task<byte[]?> GetAsync(string digest, CancellationToken cancellationToken = default)
    {
        CheckDigest(digest);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT data FROM {_schema}.blobs WHERE digest = $1", Text(digest));
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <summary>True when content is stored under <paramref name="digest"/>.</summary>
    public async Task<bool> ExistsAsync(string digest, CancellationToken cancellationToken = default)
    {
        CheckDigest(digest);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT EXISTS (SELECT 1 FROM {_schema}.blobs WHERE digest = $1)", Text(digest));
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    private static void CheckDigest(string digest)
    {
        if (!digest.StartsWith(Prefix, StringComparison.Ordinal) || digest.Length != Prefix.Length + 64)
        {
            throw new ArgumentException($"'{digest}' is not a blob digest; expected 'sha256:' followed by 64 hex digits.", nameof(digest));
        }
    }
}
