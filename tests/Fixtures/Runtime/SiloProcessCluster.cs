using System.Net.Http.Json;
using Granary.Testing.Kubernetes;

namespace Granary.Testing.Runtime;

/// <summary>
/// Silos as separate OS processes (tests/ClusterNode) on 127.0.0.1, sharing one schema of the test PostgreSQL and
/// talking HTTP/2 to each other. Each serves a small HTTP API the test calls grains through; a silo can be killed
/// with SIGKILL (as a crash) or stopped with SIGTERM (a graceful leave).
/// </summary>
public sealed class SiloProcessCluster : IAsyncDisposable
{
    private readonly List<SiloProcess> _nodes = [];
    private readonly string _logs;
    private readonly string[] _extra;

    private SiloProcessCluster(string schema, TimeSpan heartbeat, TimeSpan lease, string[] extra)
    {
        Schema = schema;
        Heartbeat = heartbeat;
        Lease = lease;
        _extra = extra;
        _logs = Directory.CreateTempSubdirectory($"granary-{schema}-").FullName;
    }

    /// <summary>The schema every silo shares.</summary>
    public string Schema { get; }

    /// <summary>How often the silos heartbeat.</summary>
    public TimeSpan Heartbeat { get; }

    /// <summary>The lease after which a silo is suspected.</summary>
    public TimeSpan Lease { get; }

    /// <summary>Every silo started, in order.</summary>
    public IReadOnlyList<SiloProcess> Nodes => _nodes;

    /// <summary>The silos still running.</summary>
    public IEnumerable<SiloProcess> Live => _nodes.Where(n => !n.HasExited);

    /// <summary>Starts <paramref name="count"/> silo processes and waits until each is Active.</summary>
    public static async Task<SiloProcessCluster> StartAsync(int count, TimeSpan? heartbeat = null, TimeSpan? lease = null, TimeSpan? callTimeout = null)
    {
        var cluster = new SiloProcessCluster(
            TestPostgres.NewSchema("nodes"),
            heartbeat ?? TimeSpan.FromMilliseconds(300),
            lease ?? TimeSpan.FromSeconds(6),
            ["--call-timeout-ms", ((int)(callTimeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            // The first silo creates the schema; the others then start together.
            await cluster.AddAsync();
            await Task.WhenAll(Enumerable.Range(1, count - 1).Select(_ => cluster.AddAsync()));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts one more silo process and waits until it is Active.</summary>
    public async Task<SiloProcess> AddAsync()
    {
        var endpoint = $"127.0.0.1:{Kubernetes.FreePort.Next()}";
        var control = Kubernetes.FreePort.Next();
        SiloProcess node;
        lock (_nodes)
        {
            var log = Path.Combine(_logs, $"node-{_nodes.Count}.log");
            var process = ChildProcess.Start($"silo process {endpoint}", "dotnet", [
                NodeAssembly(), "--postgres", TestPostgres.ConnectionString, "--schema", Schema, "--endpoint", endpoint, "--control", control.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--heartbeat-ms", ((int)Heartbeat.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--lease-ms", ((int)Lease.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), .. _extra], log);
            node = new SiloProcess(process, endpoint, control);
            _nodes.Add(node);
        }

        await node.WaitReadyAsync(TimeSpan.FromSeconds(60));
        return node;
    }

    /// <summary>The built test silo (Release or Debug, as this assembly was built).</summary>
    private static string NodeAssembly()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var file = Path.Combine(RepositoryRoot.Path, "tests", "ClusterNode", "bin", configuration, "net10.0", "Granary.ClusterNode.dll");
        return File.Exists(file) ? file : throw new FileNotFoundException($"{file} is missing: build the solution (dotnet build Orleans.sln -c {configuration}) first.");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        await TestPostgres.DropSchemaAsync(Schema);
        try
        {
            Directory.Delete(_logs, recursive: true);
        }
        catch (IOException)
        {
            // A log still open by a process that has not quite exited: the temp directory keeps it.
        }
    }
}

/// <summary>One silo process of a <see cref="SiloProcessCluster"/>, with a client for its control API.</summary>
public sealed class SiloProcess : IDisposable
{
    private readonly ChildProcess _process;

    internal SiloProcess(ChildProcess process, string endpoint, int controlPort)
    {
        _process = process;
        Endpoint = endpoint;
        Control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{controlPort}"), Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <summary>Where peers reach this silo (<c>127.0.0.1:port</c>).</summary>
    public string Endpoint { get; }

    /// <summary>The control API (HTTP/1.1): calls grains from this silo, reports activations and memory.</summary>
    public HttpClient Control { get; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The operating system process id.</summary>
    public int Pid => _process.Id;

    /// <summary>The last lines of the silo's log, for failure messages.</summary>
    public string LogTail(int lines = 40) => _process.LogTail(lines);

    /// <summary>Waits until the silo reports itself Active in its own view.</summary>
    public Task WaitReadyAsync(TimeSpan timeout) => _process.WaitUntilAsync(async () =>
    {
        try
        {
            using var response = await Control.GetAsync("/ready");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }, timeout, "Active in the cluster");

    /// <summary>GETs <paramref name="path"/> and reads the JSON answer, or throws with the silo's error.</summary>
    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken = default)
    {
        using var response = await Control.GetAsync(path, cancellationToken);
        return await ReadAsync<T>(response, path, cancellationToken);
    }

    /// <summary>POSTs <paramref name="body"/> (JSON) to <paramref name="path"/> and reads the JSON answer, or throws with the silo's error.</summary>
    public async Task<T> PostAsync<T>(string path, object? body = null, CancellationToken cancellationToken = default)
    {
        using var response = await Control.PostAsync(path, body is null ? null : JsonContent.Create(body), cancellationToken);
        return await ReadAsync<T>(response, path, cancellationToken);
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, string path, CancellationToken cancellationToken) =>
        response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<T>(cancellationToken))!
            : throw new SiloProcessCallException(Endpoint, path, await response.Content.ReadAsStringAsync(cancellationToken));

    /// <summary>SIGKILL: the process dies at once, without leaving the cluster.</summary>
    public void Kill() => _process.Signal();

    /// <summary>SIGTERM: the silo leaves gracefully and exits.</summary>
    public void Terminate() => _process.Terminate();

    /// <summary>Waits for the process to exit; answers its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <inheritdoc />
    public void Dispose()
    {
        Control.Dispose();
        _process.Dispose();
    }
}

/// <summary>A grain call made through a silo process's control API failed; the message is the silo's error.</summary>
public sealed class SiloProcessCallException(string silo, string path, string error) : Exception($"{path} via silo {silo}: {error}");
