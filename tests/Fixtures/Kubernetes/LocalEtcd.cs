namespace Granary.Testing.Kubernetes;

/// <summary>One etcd on 127.0.0.1 that every local cluster of a test run shares, each under its own key prefix.</summary>
internal sealed class LocalEtcd : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly ChildProcess process;

    private LocalEtcd(ChildProcess process, Uri clientUrl)
    {
        this.process = process;
        ClientUrl = clientUrl;
    }

    /// <summary>Where clients reach etcd (plain HTTP on loopback).</summary>
    public Uri ClientUrl { get; }

    /// <summary>Starts etcd with its data in the run directory and waits until it reports itself healthy.</summary>
    public static async Task<LocalEtcd> StartAsync(string executable, RunDirectory run)
    {
        for (var attempt = 1; ; attempt++)
        {
            // etcd rejects URLs with a path, even "/".
            var clientUrl = $"http://127.0.0.1:{FreePort.Next()}";
            var peerUrl = $"http://127.0.0.1:{FreePort.Next()}";
            var process = ChildProcess.Start("etcd", executable,
            [
                "--name", "granary-test",
                "--data-dir", run.File("etcd", "data"),
                "--listen-client-urls", clientUrl,
                "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", $"granary-test={peerUrl}",
                "--initial-cluster-state", "new",
                // Test clusters write many short-lived objects; compaction keeps the database small.
                "--auto-compaction-mode", "periodic",
                "--auto-compaction-retention", "5m",
            ], run.File("etcd", "etcd.log"));
            run.Record(process);
            var etcd = new LocalEtcd(process, new Uri(clientUrl));
            try
            {
                await process.WaitUntilAsync(etcd.IsHealthyAsync, StartTimeout, $"healthy at {clientUrl}");
                return etcd;
            }
            catch (ControlPlaneFailedException) when (attempt < 3 && FreePort.WasTaken(process.LogTail()))
            {
                etcd.Dispose();
            }
            catch
            {
                etcd.Dispose();
                throw;
            }
        }
    }

    /// <summary>The etcd process id.</summary>
    public int ProcessId => process.Id;

    /// <summary>Sends etcd SIGKILL without waiting.</summary>
    public void Signal() => process.Signal();

    /// <inheritdoc />
    public void Dispose() => process.Dispose();

    private async Task<bool> IsHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var health = await http.GetStringAsync(new Uri(ClientUrl, "/health"));
            return health.Contains("\"health\":\"true\"", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;   // not listening yet
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
