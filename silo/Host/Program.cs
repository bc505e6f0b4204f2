using Granary.Runtime;
using Microsoft.Extensions.Logging;

// The silo host. `granary run` starts one silo on the configured PostgreSQL and serves until stopped.
// Grains, the HTTP API and the CLI verbs arrive with their issues; today the silo hosts the runtime
// (activations, timers, reminders) on a migrated, hash-verified event store.
var verb = args.FirstOrDefault() ?? "run";
if (verb is not "run")
{
    Console.Error.WriteLine("usage: granary run");
    return 2;
}

var connectionString = Environment.GetEnvironmentVariable("GRANARY_POSTGRES");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("GRANARY_POSTGRES is not set. Set it to a PostgreSQL connection string, or start with `make run`, which starts a private PostgreSQL first.");
    return 1;
}

using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss ";
}));
var logger = loggerFactory.CreateLogger("Granary.Silo");

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

var options = new SiloOptions
{
    ConnectionString = connectionString,
    Schema = Environment.GetEnvironmentVariable("GRANARY_SCHEMA") ?? "granary",
    Name = Environment.GetEnvironmentVariable("GRANARY_SILO_NAME") ?? $"{Environment.MachineName}-{Environment.ProcessId}",
    LoggerFactory = loggerFactory,
};

await using var silo = await Silo.StartAsync(options, stopping.Token);
var streams = await silo.EventStore.VerifyAllAsync(stopping.Token);
var broken = streams.Where(s => !s.IsIntact).ToList();
logger.LogInformation("Event store ready: schema {Schema}, {Streams} streams, {Broken} with a broken hash chain", options.Schema, streams.Count, broken.Count);
foreach (var stream in broken)
{
    logger.LogError("Hash chain broken: {Reason}", stream.Reason);
}

logger.LogInformation("Silo {Silo} running; press Ctrl+C to stop", options.Name);
try
{
    await Task.Delay(Timeout.Infinite, stopping.Token);
}
catch (OperationCanceledException)
{
}

logger.LogInformation("Silo {Silo} stopping: deactivating grains", options.Name);
await silo.StopAsync();
logger.LogInformation("Silo {Silo} stopped", options.Name);
return 0;
