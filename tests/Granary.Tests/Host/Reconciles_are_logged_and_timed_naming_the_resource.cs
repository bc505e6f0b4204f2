using System.Diagnostics;
using System.Text;
using Granary.Runtime.Telemetry;
using Granary.Silo.Metrics;
using Granary.Silo.Resources;
using Microsoft.Extensions.Logging;

namespace Granary.Tests.Host;

public sealed class Reconciles_are_logged_and_timed_naming_the_resource
{
    [Fact]
    public void A_reconcile_span_becomes_one_histogram_sample_and_one_structured_log_line()
    {
        var kinds = new ResourceKinds().Add(new GitRepositoryKind()).Add(new KustomizationKind());
        using var metrics = new HostMetrics();
        using var exporter = new PrometheusExporter(meter => ReferenceEquals(meter, metrics.Meter), "test");
        var logger = new RecordingLogger();
        var ns = $"ns-{Guid.NewGuid():N}"[..12];
        using var observer = new ReconcileObserver(kinds, metrics, logger, grain => grain.Key.StartsWith(ns, StringComparison.Ordinal));
        using var source = new ActivitySource(RuntimeTracing.SourceName);

        Run(source, "IKustomizationGrain.ApplyAsync", $"kustomization/{ns}/apps");
        Run(source, "timer", $"kustomization/{ns}/apps");
        Run(source, "IKustomizationGrain.GetStatusAsync", $"kustomization/{ns}/apps");
        Run(source, "IKustomizationGrain.ApplyAsync", "kustomization/elsewhere/apps");

        var text = new StringBuilder();
        exporter.Write(text);
        Assert.Contains($"gotk_reconcile_duration_seconds_count{{kind=\"Kustomization\",name=\"apps\",namespace=\"{ns}\"}} 2", text.ToString());
        Assert.DoesNotContain("namespace=\"elsewhere\"", text.ToString());
        Assert.Equal(2, logger.Entries.Count);
        var line = logger.Entries[0];
        Assert.Equal("Kustomization", line["Kind"]);
        Assert.Equal($"{ns}/apps", line["Resource"]);
        Assert.Equal("ApplyAsync", line["Trigger"]);
        Assert.Equal("timer", logger.Entries[1]["Trigger"]);
    }

    private static void Run(ActivitySource source, string name, string grain)
    {
        using var activity = source.StartActivity(name);
        activity?.SetTag("granary.grain", grain);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<Dictionary<string, object?>> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                lock (Entries)
                {
                    Entries.Add(values.ToDictionary(v => v.Key, v => v.Value));
                }
            }
        }
    }
}
