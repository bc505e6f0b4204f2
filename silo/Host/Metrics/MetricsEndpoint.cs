using System.Text;
using Granary.Silo.ReadModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Granary.Silo.Metrics;

/// <summary><c>/metrics</c> in Prometheus' text format: the instruments the exporter aggregates, and each resource's readiness from the resource list.</summary>
public static class MetricsEndpoint
{
    /// <summary>The readiness gauge's name.</summary>
    public const string ResourceReady = "granary_resource_ready";

    /// <summary>Maps <c>/metrics</c>.</summary>
    public static void Map(IEndpointRouteBuilder app, PrometheusExporter exporter, ResourceTable table)
    {
        app.MapGet("/metrics", async (CancellationToken cancellationToken) =>
        {
            var output = new StringBuilder();
            exporter.Write(output);
            var resources = await table.ListAsync(null, null, null, cancellationToken);
            output.Append("# HELP ").Append(ResourceReady).Append(" Whether a resource's Ready condition is True (1) or not (0), by kind, name and namespace\n");
            output.Append("# TYPE ").Append(ResourceReady).Append(" gauge\n");
            foreach (var resource in resources)
            {
                output.Append(ResourceReady)
                    .Append(PrometheusExporter.Labels([new("kind", resource.Kind), new("name", resource.Name), new("namespace", resource.Namespace)]))
                    .Append(resource.Ready == "True" ? " 1\n" : " 0\n");
            }

            return Results.Text(output.ToString(), "text/plain; version=0.0.4; charset=utf-8");
        });
    }
}
