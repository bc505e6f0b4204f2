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
};

if (args.Length != 1 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project tests/Benchmarks -- <{string.Join('|', suites.Keys)}>");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
await suite(cancel.Token);
return 0;
