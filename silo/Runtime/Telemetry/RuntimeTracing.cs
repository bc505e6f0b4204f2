using System.Diagnostics;

namespace Granary.Runtime.Telemetry;

/// <summary>The runtime's OpenTelemetry activity source: one span per grain call, parented on the caller's span.</summary>
public static class RuntimeTracing
{
    /// <summary>The source name to subscribe to (e.g. in an OpenTelemetry tracer provider).</summary>
    public const string SourceName = "Granary.Runtime";

    internal static ActivitySource Source { get; } = new(SourceName);
}
