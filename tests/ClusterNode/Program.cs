using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Granary.ClusterNode;
using Granary.Runtime;
using Granary.Runtime.Membership;
using Granary.Runtime.Transport.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

// A test-only silo process: joins the cluster on --endpoint (HTTP/2 between silos) and serves a small HTTP/1.1 API on
// --control for the test that started it. SIGTERM leaves gracefully (exit 0); termination by the cluster exits 3.
// Usage: Granary.ClusterNode --postgres <cs> --schema <s> --endpoint 127.0.0.1:<port> --control <port>
//        [--heartbeat-ms 200] [--lease-ms 3000] [--call-timeout-ms 10000]
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Option(string name, string? fallback = null) =>
    options.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

var endpoint = Option("endpoint");
using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(c => c.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Information));
var siloOptions = new SiloOptions
{
    ConnectionString = Option("postgres"),
    Schema = Option("schema"),
    Name = $"node-{endpoint}",
    CallTimeout = TimeSpan.FromMilliseconds(int.Parse(Option("call-timeout-ms", "10000"))),
    ReminderPollInterval = TimeSpan.FromMilliseconds(200),
    LoggerFactory = loggerFactory,
    Cluster = new ClusterOptions
    {
        Endpoint = endpoint,
        Transport = new HttpSiloTransport(),
        HeartbeatInterval = TimeSpan.FromMilliseconds(int.Parse(Option("heartbeat-ms", "200"))),
        LeaseTimeout = TimeSpan.FromMilliseconds(int.Parse(Option("lease-ms", "3000"))),
    },
};
siloOptions.Grains
    .Add<INodeCounterGrain, NodeCounterGrain>(() => new NodeCounterGrain(endpoint))
    .Add<INodePingGrain, NodePingGrain>(() => new NodePingGrain(endpoint));
siloOptions.EventTypes.RegisterAnnotated(typeof(NodeIncremented).Assembly);

using var stopping = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

var silo = await Silo.StartAsync(siloOptions);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, int.Parse(Option("control"))));
var app = builder.Build();
var grains = silo.GrainFactory;

app.MapGet("/ready", () => silo.ClusterView is { } view && silo.Address is { } self && view.StatusOf(self) == SiloStatus.Active
    ? Results.Text(self.ToString())
    : Results.StatusCode(503));
app.MapGet("/active", () => Results.Json(silo.ClusterView?.ActiveSilos.Length ?? 0));
app.MapPost("/counters/{key}/increment", (string key) => Answer(() => grains.Get<INodeCounterGrain>(key).IncrementAsync(1)));
app.MapGet("/counters/{key}", (string key) => Answer(() => grains.Get<INodeCounterGrain>(key).GetAsync()));
app.MapGet("/where/{key}", (string key) => Answer(() => grains.Get<INodePingGrain>(key).WhereAsync()));
app.MapGet("/stats", () =>
{
    using var process = Process.GetCurrentProcess();
    return Results.Json(new NodeStats(silo.ActivationCount, process.WorkingSet64 / 1024.0 / 1024.0, GC.GetTotalMemory(false) / 1024.0 / 1024.0));
});

// Activates ping grains prefix-0 … prefix-(count-1) from this silo, answering how many live here.
app.MapPost("/activate", async (string prefix, int count, int concurrency) =>
{
    var (local, failed) = (0, 0);
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
    {
        try
        {
            if (await grains.Get<INodePingGrain>($"{prefix}-{i}").WhereAsync() == endpoint)
            {
                Interlocked.Increment(ref local);
            }
        }
        catch (Exception exception)
        {
            if (Interlocked.Increment(ref failed) == 1)
            {
                Console.Error.WriteLine($"activate {prefix}-{i}: {exception.GetType().Name}: {exception.Message}");
            }
        }
    });
    return Results.Json(new { local, failed });
});

// Calls ping grains (those given, round-robin) with `concurrency` callers for `seconds`; answers calls/s and latencies.
app.MapPost("/load", async (LoadRequest load) =>
{
    var latencies = new List<double>[load.Concurrency];
    var failures = 0;
    var until = Stopwatch.GetTimestamp() + (long)(load.Seconds * Stopwatch.Frequency);
    var interval = load.RatePerSecond > 0 ? load.Concurrency / load.RatePerSecond : 0;
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, load.Concurrency).Select(worker => Task.Run(async () =>
    {
        var mine = latencies[worker] = new List<double>(4096);
        var next = Stopwatch.GetTimestamp();
        for (var n = worker; Stopwatch.GetTimestamp() < until; n += load.Concurrency)
        {
            if (interval > 0)
            {
                // Paced: each caller starts a call every `interval` seconds (open loop, so latency is not hidden by waiting).
                next += (long)(interval * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }

            var start = Stopwatch.GetTimestamp();
            try
            {
                await grains.Get<INodePingGrain>(load.Keys[n % load.Keys.Length]).PingAsync(n);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failures);
            }
        }
    })));
    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return Results.Json(new LoadResult(all.Length, failures, seconds, all.Length == 0 ? 0 : all[all.Length / 2], all.Length == 0 ? 0 : all[(int)(all.Length * 0.99)]));
});

await app.StartAsync();
var logger = loggerFactory.CreateLogger("Granary.ClusterNode");
logger.LogInformation("Node {Endpoint} ready (control port {Control})", endpoint, Option("control"));

var signalled = Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
if (await Task.WhenAny(signalled, silo.Terminated) == silo.Terminated)
{
    logger.LogCritical("Node {Endpoint} terminated by the cluster: {Reason}", endpoint, (await silo.Terminated).Reason);
    return 3;
}

logger.LogInformation("Node {Endpoint} leaving (SIGTERM)", endpoint);
using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
await silo.StopAsync(grace.Token);
await app.StopAsync();
logger.LogInformation("Node {Endpoint} left", endpoint);
return 0;

static async Task<IResult> Answer<T>(Func<Task<T>> call)
{
    try
    {
        return Results.Json(await call());
    }
    catch (Exception exception)
    {
        return Results.Json(new NodeError(exception.GetType().Name, exception.Message), statusCode: 503);
    }
}

/// <summary>A failed call, as the control API reports it.</summary>
internal sealed record NodeError(string Type, string Message);

/// <summary>A node's activations and memory.</summary>
internal sealed record NodeStats(int Activations, double WorkingSetMb, double ManagedMb);

/// <summary>A load to run from this silo.</summary>
internal sealed record LoadRequest(string[] Keys, int Concurrency, double Seconds, double RatePerSecond);

/// <summary>What a load run measured.</summary>
internal sealed record LoadResult(int Calls, int Failures, double Seconds, double P50Ms, double P99Ms);
