using System.Diagnostics;
using Granary.Testing;
using Granary.Testing.Runtime;

namespace Granary.Benchmarks;

/// <summary>
/// Silos as separate processes on loopback (tests/ClusterNode, HTTP/2 between them): remote call throughput and
/// latency between two silos, failover time after kill -9, and activations and memory over three silos.
/// </summary>
internal static class ClusterBenchmark
{
    private const int Callers = 256;
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(10);

    // Failover is lease-bound: a 500 ms heartbeat and a 4 s lease (the silo itself stops after 2 s without renewing).
    private static readonly TimeSpan FailoverHeartbeat = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan FailoverLease = TimeSpan.FromSeconds(4);

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        // GRANARY_CLUSTER_BENCH=calls|failover|activations runs one part.
        var only = Environment.GetEnvironmentVariable("GRANARY_CLUSTER_BENCH");
        if (only is null or "calls")
        {
            await RemoteCallsAsync(cancellationToken);
        }

        if (only is null or "failover")
        {
            await FailoverAsync(cancellationToken);
        }

        if (only is null or "activations")
        {
            await ActivationsAsync(cancellationToken);
        }
    }

    private static async Task RemoteCallsAsync(CancellationToken cancellationToken)
    {
        await using var cluster = await SiloProcessCluster.StartAsync(2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8));
        var (caller, callee) = (cluster.Nodes[0], cluster.Nodes[1]);
        var remote = await KeysOnAsync(caller, callee, "remote", 2000, cancellationToken);

        // Warm up both processes (JIT, connections), then measure.
        await caller.PostAsync<LoadResult>("/load", new LoadRequest(remote, Callers, 3, 0), cancellationToken);
        var cpuBefore = CpuSeconds(caller.Pid) + CpuSeconds(callee.Pid);
        var saturated = await caller.PostAsync<LoadResult>("/load", new LoadRequest(remote, Callers, Measure.TotalSeconds, 0), cancellationToken);
        var cpu = CpuSeconds(caller.Pid) + CpuSeconds(callee.Pid) - cpuBefore;
        var rate = saturated.Calls / saturated.Seconds;
        Figures.Print("remote_calls_per_s", rate, "calls/s");
        // CPU of both silos per call: what the rate would be on an otherwise idle machine depends mostly on this.
        Figures.Print("remote_call_cpu_us", cpu / Math.Max(1, saturated.Calls) * 1e6, "us");
        Console.Error.WriteLine($"  ({saturated.Calls} calls by {Callers} callers in {saturated.Seconds:0.0} s, {saturated.Failures} failed, p50 {saturated.P50Ms:0.00} ms, p99 {saturated.P99Ms:0.00} ms)");

        var half = await caller.PostAsync<LoadResult>("/load", new LoadRequest(remote, 64, Measure.TotalSeconds, rate / 2), cancellationToken);
        Figures.Print("remote_call_p99_ms", half.P99Ms, "ms");
        Console.Error.WriteLine($"  (at {half.Calls / half.Seconds:0} calls/s paced by 64 callers: p50 {half.P50Ms:0.00} ms, {half.Failures} failed)");
    }

    private static async Task FailoverAsync(CancellationToken cancellationToken)
    {
        await using var cluster = await SiloProcessCluster.StartAsync(3, FailoverHeartbeat, FailoverLease);
        var (caller, victim) = (cluster.Nodes[0], cluster.Nodes[2]);
        var orphans = await KeysOnAsync(caller, victim, "failover", 900, cancellationToken);

        var killedAt = DateTime.UtcNow;
        var killed = Stopwatch.StartNew();
        victim.Kill();
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));

        // Each grain is asked again every 100 ms until a survivor answers, on its own: a slow call for one grain does
        // not hold the others' retries back, so each figure is when that grain answered (to within 0.1 s).
        var answeredAt = new System.Collections.Concurrent.ConcurrentDictionary<string, double>();
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(orphans.Select(async key =>
        {
            while (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                try
                {
                    if (await caller.GetAsync<string>($"/where/{key}", cancellationToken) != victim.Endpoint)
                    {
                        answeredAt[key] = killed.Elapsed.TotalSeconds;
                        return;
                    }
                }
                catch (SiloProcessCallException exception)
                {
                    errors.AddOrUpdate(Shorten(exception.Message), 1, (_, count) => count + 1);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }));

        var waiting = orphans.Length - answeredAt.Count;
        Figures.Print("failover_seconds", answeredAt.IsEmpty || waiting > 0 ? killed.Elapsed.TotalSeconds : answeredAt.Values.Max(), "s");
        Console.Error.WriteLine($"  ({orphans.Length} grains of the killed silo; heartbeat {FailoverHeartbeat.TotalMilliseconds:0} ms, lease {FailoverLease.TotalSeconds:0} s; {waiting} still not answering)");
        await PrintFailoverTimelineAsync(cluster, victim, killedAt, [.. answeredAt.Values], cancellationToken);
        foreach (var (error, count) in errors.OrderByDescending(e => e.Value).Take(3))
        {
            Console.Error.WriteLine($"  {count} failed attempts: {error}");
        }
    }

    private static string Shorten(string error)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(error, "failover-[0-9]+", "<key>");
        return text.Length > 160 ? text[..160] : text;
    }

    /// <summary>
    /// Where the failover time went, in seconds after the kill: the victim's last lease renewal (from the membership
    /// table), each survivor's suspicion votes and the views it read (from their logs), and when the grains answered.
    /// </summary>
    private static async Task PrintFailoverTimelineAsync(SiloProcessCluster cluster, SiloProcess victim, DateTime killedAt, List<double> answeredAfter, CancellationToken cancellationToken)
    {
        await using (var connection = new Npgsql.NpgsqlConnection(TestPostgres.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new Npgsql.NpgsqlCommand($"SELECT heartbeat_at FROM {cluster.Schema}.membership WHERE endpoint = $1", connection);
            command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = victim.Endpoint });
            if (await command.ExecuteScalarAsync(cancellationToken) is DateTime heartbeat)
            {
                Console.Error.WriteLine($"  {(heartbeat - killedAt).TotalSeconds,6:0.00} s  victim's last lease renewal");
            }
        }

        var killedLocal = TimeOnly.FromDateTime(killedAt.ToLocalTime()).ToTimeSpan();
        foreach (var node in cluster.Nodes.Where(n => n != victim))
        {
            TimeOnly? stamp = null;
            foreach (var line in node.LogTail(4000).Split('\n'))
            {
                // Log lines start with HH:mm:ss.fff (local time); the message follows on the next line.
                if (line.Length > 12 && TimeOnly.TryParseExact(line[..12], "HH:mm:ss.fff", out var at))
                {
                    stamp = at;
                }
                else if (stamp is { } lineAt && (line.Contains("voted", StringComparison.Ordinal) || line.Contains("read membership", StringComparison.Ordinal) || line.Contains("lost a race", StringComparison.Ordinal)) && line.Contains(victim.Endpoint, StringComparison.Ordinal))
                {
                    var seconds = (lineAt.ToTimeSpan() - killedLocal).TotalSeconds;
                    if (seconds > -1)
                    {
                        Console.Error.WriteLine($"  {seconds,6:0.00} s  {node.Endpoint}: {line.Trim()}");
                    }
                }
            }
        }

        answeredAfter.Sort();
        if (answeredAfter.Count > 0)
        {
            Console.Error.WriteLine($"  {answeredAfter[0],6:0.00} s  first grain answered again; half by {answeredAfter[answeredAfter.Count / 2]:0.00} s, all by {answeredAfter[^1]:0.00} s");
        }
    }

    private static async Task ActivationsAsync(CancellationToken cancellationToken)
    {
        const int Grains = 100_000;
        await using var cluster = await SiloProcessCluster.StartAsync(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8));

        // Grains activated while a silo's view still lacks a peer move to that peer when the view catches up, and
        // (moved lazily) would not be counted: start once every silo sees all three.
        var converged = Stopwatch.StartNew();
        while ((await Task.WhenAll(cluster.Nodes.Select(n => n.GetAsync<int>("/active", cancellationToken)))).Any(active => active != 3))
        {
            if (converged.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("The three silos' membership views did not converge within 30 s.");
            }

            await Task.Delay(50, cancellationToken);
        }

        var started = Stopwatch.StartNew();
        var activated = await Task.WhenAll(cluster.Nodes.Select((node, i) => node.PostAsync<Activated>($"/activate?prefix=mem{i}&count={Grains / 3 + (i < Grains % 3 ? 1 : 0)}&concurrency=32", cancellationToken: cancellationToken)));
        var seconds = started.Elapsed.TotalSeconds;
        var stats = await Task.WhenAll(cluster.Nodes.Select(n => n.GetAsync<NodeStats>("/stats", cancellationToken)));
        Figures.Print("activations_3_silos", stats.Sum(s => s.Activations), "activations");
        Figures.Print("silo_memory_mb", stats.Max(s => s.WorkingSetMb), "MB");
        Console.Error.WriteLine($"  (activated in {seconds:0.0} s, {activated.Sum(a => a.Failed)} calls failed; per silo: {string.Join(", ", stats.Select(s => $"{s.Activations} activations, {s.WorkingSetMb:0} MB working set, {s.ManagedMb:0} MB managed"))})");
    }

    /// <summary>User plus system CPU time a process has used, from /proc (Linux).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command: state is field 3, utime 14 and stime 15 (1-based, in clock ticks of 1/100 s).
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Finds <paramref name="count"/> ping grain keys (of up to 4× as many tried) that live on <paramref name="on"/>, activating them from <paramref name="via"/>.</summary>
    private static async Task<string[]> KeysOnAsync(SiloProcess via, SiloProcess on, string prefix, int count, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        for (var batch = 0; keys.Count < count && batch < 4; batch++)
        {
            var tried = Enumerable.Range(batch * count, count).Select(i => $"{prefix}-{i}").ToArray();
            var answers = new string[tried.Length];
            await Parallel.ForEachAsync(Enumerable.Range(0, tried.Length), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (i, token) =>
                answers[i] = await via.GetAsync<string>($"/where/{tried[i]}", token));
            keys.AddRange(tried.Where((_, i) => answers[i] == on.Endpoint));
        }

        return [.. keys.Take(count)];
    }

    private sealed record LoadRequest(string[] Keys, int Concurrency, double Seconds, double RatePerSecond);

    private sealed record LoadResult(int Calls, int Failures, double Seconds, double P50Ms, double P99Ms);

    private sealed record Activated(int Local, int Failed);

    private sealed record NodeStats(int Activations, double WorkingSetMb, double ManagedMb);
}
