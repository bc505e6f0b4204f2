using System.Runtime.InteropServices;
using Granary.Silo.Cli;
using Granary.Silo.Configuration;
using Granary.Silo.Wiring;
using Microsoft.Extensions.Logging;

// The silo host. `granary run` reads the configuration (file, GRANARY_* variables, flags), starts a silo with the
// resource grains wired to the management cluster, and serves the HTTP API until Ctrl+C or SIGTERM. Every other verb
// (get, apply, history, …) is a client of that API (silo/Host/Cli).
var verb = args.FirstOrDefault() ?? "run";
if (CliApp.Handles(verb))
{
    using var interrupted = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        interrupted.Cancel();
    };
    return await CliApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, interrupted.Token);
}

if (verb is "help" or "--help" or "-h" || args.Skip(1).Any(a => a is "--help" or "-h"))
{
    Console.WriteLine("usage: granary run [--config granary.yaml] [flags]");
    Console.WriteLine("Each setting comes from the config file, then its environment variable, then its flag (the later wins):");
    foreach (var setting in ConfigurationLoader.Settings)
    {
        Console.WriteLine($"  {setting.Flag,-16} {setting.EnvironmentVariable,-22} {setting.Key + ":",-15} {setting.Description}");
    }

    Console.WriteLine("  --config         GRANARY_CONFIG         the YAML config file; API tokens are only read from it (tokens: [{name, role: read|admin, valueFrom: {env|file}}])");
    Console.WriteLine("Client verbs (talk to a running silo's API; granary <verb> --help for each):");
    CliApp.WriteHelp(Console.Out);
    return 0;
}

if (verb is not "run")
{
    Console.Error.WriteLine($"granary: unknown verb '{verb}'; usage: granary run [--config granary.yaml] [flags], or a client verb: {string.Join(", ", CliApp.Verbs.Select(v => v.Name))} (granary --help lists them)");
    return 2;
}

HostConfiguration configuration;
try
{
    configuration = ConfigurationLoader.Load(args.Skip(1).ToList());
}
catch (ConfigurationException exception)
{
    Console.Error.WriteLine($"granary: configuration: {exception.Message}");
    return 1;
}

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

SiloHost host;
try
{
    host = await SiloHost.StartAsync(configuration, cancellationToken: stopping.Token);
}
catch (ConfigurationException exception)
{
    Console.Error.WriteLine($"granary: configuration: {exception.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    return 0;
}

// A clustered silo that lost its place (declared dead by its peers, or unable to renew its lease) has stopped
// serving: exit non-zero so the supervisor restarts it, and it joins again as a new generation.
var signalled = Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
if (await Task.WhenAny(signalled, host.Silo.Terminated) == host.Silo.Terminated)
{
    var termination = await host.Silo.Terminated;
    host.Logger.LogCritical("Silo {Silo} was terminated by the cluster ({Reason}); exiting with code 3 so it restarts as a new generation", termination.Silo, termination.Reason);
    await host.StopAsync();
    return 3;
}

await host.StopAsync();
return 0;
