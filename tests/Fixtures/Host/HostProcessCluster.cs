using System.Globalization;
using Granary.Testing.Kubernetes;

namespace Granary.Testing.Host;

/// <summary>
/// Several <c>granary run</c> processes (the real silo executable) in cluster mode, configured as the Kubernetes
/// StatefulSet configures its Pods: a granary.yaml with the API tokens, and per-silo <c>GRANARY_*</c> variables —
/// each silo with its own loopback address as <c>GRANARY_POD_IP</c> (127.0.0.11, .12, …) so the advertised endpoint
/// comes from it, its own API port, cluster port and data directory, all sharing one schema of the test PostgreSQL.
/// </summary>
public sealed class HostProcessCluster : IAsyncDisposable
{
    /// <summary>The admin token's value.</summary>
    public const string AdminToken = "admin-hostcluster-0123456789abcdef";

    /// <summary>The read token's value.</summary>
    public const string ReadToken = "read-hostcluster-0123456789abcdef";

    // The ConfigMap's granary.yaml (deploy/kubernetes/base/configmap.yaml) without what the environment overrides here.
    private const string ConfigFile = """
        tokens:
          - name: admin
            role: admin
            valueFrom: {env: GRANARY_TOKEN_ADMIN}
          - name: read
            role: read
            valueFrom: {env: GRANARY_TOKEN_READ}
        """;

    private readonly List<HostProcess> _silos = [];
    private readonly string _directory;
    private readonly string _kubeconfig;

    private HostProcessCluster(string kubeconfig, HostClusterSettings settings)
    {
        _kubeconfig = kubeconfig;
        Settings = settings;
        Schema = TestPostgres.NewSchema("hosts");
        _directory = Directory.CreateTempSubdirectory($"granary-{Schema}-").FullName;
        File.WriteAllText(Path.Combine(_directory, "granary.yaml"), ConfigFile);
    }

    /// <summary>The schema every silo shares.</summary>
    public string Schema { get; }

    /// <summary>The clocks the silos run with.</summary>
    public HostClusterSettings Settings { get; }

    /// <summary>Every silo started, in order.</summary>
    public IReadOnlyList<HostProcess> Silos => _silos;

    /// <summary>The silos whose process still runs.</summary>
    public IEnumerable<HostProcess> Live => _silos.Where(s => !s.HasExited);

    /// <summary>Starts <paramref name="count"/> silos against the management cluster of <paramref name="kubeconfig"/> and waits until each answers /readyz.</summary>
    public static async Task<HostProcessCluster> StartAsync(int count, string kubeconfig, HostClusterSettings settings)
    {
        var cluster = new HostProcessCluster(kubeconfig, settings);
        try
        {
            // The first silo creates the schema; the others then start together, as a StatefulSet with parallel Pod management would.
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

    /// <summary>Starts one more silo and waits until it answers /readyz.</summary>
    public async Task<HostProcess> AddAsync()
    {
        HostProcess silo;
        lock (_silos)
        {
            var ordinal = _silos.Count;
            var name = $"granary-{ordinal}";
            var podIp = $"127.0.0.{11 + ordinal}";
            var api = new Uri($"http://127.0.0.1:{FreePort.Next()}");
            var clusterPort = FreePort.Next();
            var data = Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;
            var environment = new Dictionary<string, string>
            {
                ["GRANARY_CONFIG"] = Path.Combine(_directory, "granary.yaml"),
                ["GRANARY_POSTGRES"] = TestPostgres.ConnectionString,
                ["GRANARY_SCHEMA"] = Schema,
                ["GRANARY_LISTEN"] = api.ToString().TrimEnd('/'),
                ["GRANARY_SILO_NAME"] = name,
                ["GRANARY_KUBECONFIG"] = _kubeconfig,
                ["GRANARY_KUBECTL"] = Tools.Kubectl,
                ["GRANARY_DATA_DIR"] = data,
                ["GRANARY_SHUTDOWN_GRACE"] = Duration(Settings.ShutdownGrace),
                ["GRANARY_POD_IP"] = podIp,
                ["GRANARY_CLUSTER_ENABLED"] = "true",
                ["GRANARY_CLUSTER_LISTEN"] = clusterPort.ToString(CultureInfo.InvariantCulture),
                ["GRANARY_CLUSTER_HEARTBEAT"] = Duration(Settings.Heartbeat),
                ["GRANARY_CLUSTER_LEASE_TIMEOUT"] = Duration(Settings.LeaseTimeout),
                ["GRANARY_TOKEN_ADMIN"] = AdminToken,
                ["GRANARY_TOKEN_READ"] = ReadToken,
            };
            var process = ChildProcess.Start($"granary run ({name})", "dotnet", [SiloAssembly(), "run"], Path.Combine(_directory, $"{name}.log"), environment);
            silo = new HostProcess(process, name, api, $"{podIp}:{clusterPort}");
            _silos.Add(silo);
        }

        await silo.WaitReadyAsync(TimeSpan.FromSeconds(120));
        return silo;
    }

    /// <summary>The built silo executable (Release or Debug, as this assembly was built).</summary>
    private static string SiloAssembly()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var file = Path.Combine(RepositoryRoot.Path, "silo", "Host", "bin", configuration, "net10.0", "granary.dll");
        return File.Exists(file) ? file : throw new FileNotFoundException($"{file} is missing: build the solution (dotnet build Orleans.sln -c {configuration}) first.");
    }

    private static string Duration(TimeSpan span) => $"{(long)span.TotalMilliseconds}ms";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            silo.Dispose();
        }

        await TestPostgres.DropSchemaAsync(Schema);
        try
        {
            // GRANARY_KEEP_TEST_LOGS=1 keeps the silos' logs and data for a post-mortem.
            if (Environment.GetEnvironmentVariable("GRANARY_KEEP_TEST_LOGS") != "1")
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open by a process that has not quite exited: the temp directory keeps it.
        }
    }
}

/// <summary>The clocks of a <see cref="HostProcessCluster"/>: membership heartbeat and lease, and the graceful shutdown's grace period.</summary>
public sealed record HostClusterSettings(TimeSpan Heartbeat, TimeSpan LeaseTimeout, TimeSpan ShutdownGrace);
