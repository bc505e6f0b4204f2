using Granary.Testing;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Demo;

/// <summary>The quick start, headless: what <c>GRANARY_DEMO_EXIT_WHEN_READY=1 make run</c> does on CI.</summary>
public sealed class Quick_start_brings_the_demo_fleet_to_ready : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("granary-demo-").FullName;
    private readonly string _schema = TestPostgres.NewSchema("demo");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await TestPostgres.DropSchemaAsync(_schema);
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Every_layer_on_staging_and_production_becomes_Ready_and_the_launcher_exits_0()
    {
        var result = await DemoLauncher.RunAsync(
            ["--work-dir", _work, "--listen", $"http://127.0.0.1:{FreePort.Next()}"],
            new Dictionary<string, string>
            {
                ["GRANARY_DEMO_EXIT_WHEN_READY"] = "1",
                ["GRANARY_DEMO_DEADLINE"] = "150s",
                ["GRANARY_POSTGRES"] = TestPostgres.ConnectionString,
                ["GRANARY_SCHEMA"] = _schema,
                ["GRANARY_KUBECONFIG"] = string.Empty,
            },
            TimeSpan.FromMinutes(4));

        Assert.True(result.ExitCode == 0, $"the demo exited {result.ExitCode}:\n{result.Output}");
        Assert.Contains("Ready: all 11 resources at ", result.Output);
        string[] expected =
        [
            "GitRepository  flux-system/fleet ", "Cluster        flux-system/production ",
            "Kustomization  flux-system/fleet ",
            "Kustomization  flux-system/infrastructure-staging ", "Kustomization  flux-system/operators-staging ", "Kustomization  flux-system/apps-staging ",
            "Kustomization  flux-system/infrastructure-production ", "Kustomization  flux-system/operators-production ", "Kustomization  flux-system/apps-production ",
            "HelmRelease    flux-system/greeter-staging ", "HelmRelease    flux-system/greeter-production ",
        ];
        var table = result.Output[result.Output.IndexOf("Ready: all", StringComparison.Ordinal)..].Split('\n');
        foreach (var resource in expected)
        {
            var row = table.SingleOrDefault(line => line.StartsWith(resource, StringComparison.Ordinal));
            Assert.True(row is not null, $"no row for {resource.Trim()} in:\n{result.Output}");
            Assert.Contains("  True  ", row);
        }

        Assert.Contains("HelmRelease    flux-system/greeter-production         production ", result.Output);
        Assert.Contains("Kustomization  flux-system/operators-production       production ", result.Output);
    }

}
