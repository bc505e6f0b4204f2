using Granary.Runtime.Telemetry;
using Granary.Silo.Configuration;
using Granary.Silo.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Granary.Silo.Telemetry;

/// <summary>Sends traces (a span per grain call and timer tick) and metrics to an OpenTelemetry collector over OTLP, when one is configured.</summary>
public static class OtlpExport
{
    /// <summary>Starts the exporters; null when no <c>otlpEndpoint</c> is configured. Dispose to flush and stop.</summary>
    public static IDisposable? Start(HostConfiguration configuration, HostMetrics metrics)
    {
        if (configuration.OtlpEndpoint is not { } endpoint)
        {
            return null;
        }

        var resource = ResourceBuilder.CreateDefault().AddService("granary", serviceInstanceId: configuration.SiloName);
        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(RuntimeTracing.SourceName)
            .AddOtlpExporter(otlp => otlp.Endpoint = endpoint)
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter("Granary.Runtime", "Granary.Build", metrics.Meter.Name)
            .AddOtlpExporter(otlp => otlp.Endpoint = endpoint)
            .Build();
        return new Providers(tracer, meter);
    }

    private sealed class Providers(TracerProvider tracer, MeterProvider meter) : IDisposable
    {
        public void Dispose()
        {
            tracer.Dispose();
            meter.Dispose();
        }
    }
}
