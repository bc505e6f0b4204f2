using System.Diagnostics;
using Npgsql;

namespace Granary.Testing.Runtime;

/// <summary>
/// A throwaway PostgreSQL 15 of one test's own, in a temporary directory, on a free loopback port. The test may
/// <see cref="StopAsync"/> it and <see cref="StartAsync()"/> it again on the same port and data, to play database
/// outages without touching the shared server. Initialised as <c>deploy/local/bootstrap</c> does the shared one:
/// superuser <c>granary</c>, trust on loopback only, database <c>granary</c>; fsync off (its data is thrown away).
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Binaries = "/usr/lib/postgresql/15/bin";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _directory;

    private PrivatePostgres(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    /// <summary>The loopback port the server listens on, the same across restarts.</summary>
    public int Port { get; }

    /// <summary>Whether the server is running (between a start and a stop).</summary>
    public bool IsRunning { get; private set; }

    /// <summary>An Npgsql connection string for the <c>granary</c> database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=granary;Database=granary;Pooling=true;Maximum Pool Size=50";

    private string DataDirectory => Path.Combine(_directory, "data");

    private string LogFile => Path.Combine(_directory, "postgres.log");

    /// <summary>Creates a cluster in a temporary directory, starts it and creates the <c>granary</c> database.</summary>
    public static async Task<PrivatePostgres> CreateAsync()
    {
        if (!File.Exists(Path.Combine(Binaries, "initdb")))
        {
            throw new InvalidOperationException($"{Binaries}/initdb not found; install the server: apt-get install -y postgresql-15 (or run deploy/local/bootstrap).");
        }

        // The server runs as the postgres user when we are root, so the directory must be open to it.
        var directory = Path.Combine(Path.GetTempPath(), $"granary-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }

        var server = new PrivatePostgres(directory, Kubernetes.FreePort.Next());
        try
        {
            await server.RunAsync("initdb", "-D", server.DataDirectory, "-U", "granary", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions");
            await File.WriteAllTextAsync(Path.Combine(server.DataDirectory, "pg_hba.conf"), """
                # A private test server: trust on loopback only.
                local   all       all                 trust
                host    all       all   127.0.0.1/32  trust
                """);
            await File.AppendAllTextAsync(Path.Combine(server.DataDirectory, "postgresql.conf"), $"""

                # Written by PrivatePostgres: a throwaway server for one test.
                listen_addresses = '127.0.0.1'
                port = {server.Port}
                unix_socket_directories = ''
                max_connections = 100
                shared_buffers = 32MB
                fsync = off
                full_page_writes = off
                """);
            await server.StartAsync();
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={server.Port};Username=granary;Database=postgres;Pooling=false");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE DATABASE granary", connection);
            await command.ExecuteNonQueryAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on the same port and data, and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        await RunAsync("pg_ctl", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "start");
        IsRunning = true;
        await Eventually.WaitUntilAsync(AcceptsConnectionsAsync, Deadline, $"the private PostgreSQL on 127.0.0.1:{Port} to accept connections (log {LogFile})");
    }

    /// <summary>
    /// Stops the server and waits until it is gone. Fast: clients are told "terminating connection due to
    /// administrator command" (57P01), as in a planned restart. Immediate: it just dies, as in a crash.
    /// </summary>
    public async Task StopAsync(bool immediate = false)
    {
        await RunAsync("pg_ctl", "-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop");
        IsRunning = false;
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=granary;Database=postgres;Pooling=false;Timeout=2");
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>Runs a server binary (as the postgres user when we are root: initdb refuses root) and fails with its output.</summary>
    private async Task RunAsync(string binary, params string[] arguments)
    {
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : Path.Combine(Binaries, binary))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        if (asRoot)
        {
            foreach (var argument in (string[])["-u", "postgres", "--", Path.Combine(Binaries, binary)])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Stray libpq settings from the caller's shell must not change how pg_ctl reaches or names the server.
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{binary} {string.Join(' ', arguments)} did not finish within {Deadline.TotalSeconds:0} s.");
        }

        if (process.ExitCode != 0)
        {
            var log = File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(15)) : "(no server log)";
            throw new InvalidOperationException($"{binary} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await errors}\nServer log:\n{log}");
        }
    }

    /// <summary>Stops the server if it runs (immediately: its data is thrown away) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (IsRunning || File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await StopAsync(immediate: true);
            }
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
