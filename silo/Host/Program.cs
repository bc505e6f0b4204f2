using Granary.EventStore;
using Granary.EventStore.Serialization;

// The silo host. For now `granary run` opens (and migrates) the event store and serves until stopped;
// the runtime, grains and HTTP API arrive with their issues.
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

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopping.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stopping.Cancel();

var options = new EventStoreOptions { ConnectionString = connectionString, Schema = Environment.GetEnvironmentVariable("GRANARY_SCHEMA") ?? "granary" };
await using var store = await PostgresEventStore.OpenAsync(options, new EventTypeRegistry(), stopping.Token);
var streams = await store.VerifyAllAsync(stopping.Token);
Console.WriteLine($"granary: event store ready (schema '{options.Schema}', {streams.Count} streams, {streams.Count(s => !s.IsIntact)} with a broken hash chain)");
Console.WriteLine("granary: silo running; press Ctrl+C to stop");
try
{
    await Task.Delay(Timeout.Infinite, stopping.Token);
}
catch (OperationCanceledException)
{
}

Console.WriteLine("granary: stopped");
return 0;
