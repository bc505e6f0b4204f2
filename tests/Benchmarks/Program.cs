using Granary.Benchmarks;

// Each suite prints one "name: value unit" line per figure.
var suites = new Dictionary<string, Func<CancellationToken, Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["eventstore"] = EventStoreBenchmark.RunAsync,
    ["runtime"] = RuntimeBenchmark.RunAsync,
    ["controlplanes"] = ControlPlaneBenchmark.RunAsync,
    ["gitops"] = GitOpsBenchmark.RunAsync,
    ["kube"] = KubeApplyBenchmark.RunAsync,
    ["helm"] = HelmBenchmark.RunAsync,
    ["cluster"] = ClusterBenchmark.RunAsync,
};

if (args.Length != 1 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project tests/Benchmarks -- <{string.Join('|', suites.Keys)}>");
    return 2;
}

// The gitops suite measures a silo's memory and CPU, so it runs with the silo host's GC (workstation, see
// silo/Host/Granary.Silo.Host.csproj), not the server GC the throughput suites use.
if (args[0].Equals("gitops", StringComparison.OrdinalIgnoreCase) && System.Runtime.GCSettings.IsServerGC)
{
    var child = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
    var viaHost = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet";
    foreach (var arg in Environment.GetCommandLineArgs().Skip(viaHost ? 0 : 1))
    {
        child.ArgumentList.Add(arg);
    }

    child.Environment["DOTNET_gcServer"] = "0";
    using var process = System.Diagnostics.Process.Start(child)!;
    await process.WaitForExitAsync();
    return process.ExitCode;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
await suite(cancel.Token);
return 0;
