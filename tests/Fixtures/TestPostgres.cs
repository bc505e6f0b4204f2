using Npgsql;

namespace Granary.Testing;

/// <summary>
/// The PostgreSQL that tests and benchmarks use: <c>GRANARY_POSTGRES</c> when set, otherwise the private server
/// that <c>deploy/local/bootstrap postgres</c> starts (and reuses) under <c>.granary/</c>.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<string> Connection = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The connection string, starting the private server on first use if needed.</summary>
    public static string ConnectionString => Connection.Value;

    /// <summary>A fresh schema name, so every test class has its own tables.</summary>
    public static string NewSchema(string prefix = "t") => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, 63)];

    /// <summary>Drops a schema a test created.</summary>
    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("GRANARY_POSTGRES");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }

        Bootstrap.Run("postgres", TimeSpan.FromMinutes(5));

        var envFile = System.IO.Path.Combine(RepositoryRoot.Path, ".granary", "postgres.env");
        var line = File.ReadLines(envFile).FirstOrDefault(l => l.StartsWith("GRANARY_POSTGRES=", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{envFile} has no GRANARY_POSTGRES= line; rerun deploy/local/bootstrap postgres.");
        return line["GRANARY_POSTGRES=".Length..];
    }
}
