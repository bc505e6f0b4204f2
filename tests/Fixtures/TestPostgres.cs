using System.Diagnostics;
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

        var script = System.IO.Path.Combine(RepositoryRoot.Path, "deploy", "local", "bootstrap");
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("postgres");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} postgres did not finish within 5 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} postgres failed ({process.ExitCode}):\n{output.Result}\n{errors.Result}");
        }

        var envFile = System.IO.Path.Combine(RepositoryRoot.Path, ".granary", "postgres.env");
        var line = File.ReadLines(envFile).FirstOrDefault(l => l.StartsWith("GRANARY_POSTGRES=", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{envFile} has no GRANARY_POSTGRES= line; rerun deploy/local/bootstrap postgres.");
        return line["GRANARY_POSTGRES=".Length..];
    }
}
