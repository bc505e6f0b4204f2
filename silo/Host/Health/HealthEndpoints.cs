using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace Granary.Silo.Health;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (PostgreSQL reachable and the silo started), for probes.</summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Maps the probes; <paramref name="started"/> says whether the silo is up and serving grains.</summary>
    public static void Map(IEndpointRouteBuilder app, NpgsqlDataSource database, Func<bool> started)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", async (CancellationToken cancellationToken) =>
        {
            var postgres = await CheckDatabaseAsync(database, cancellationToken);
            var silo = started() ? "started" : "not started";
            var ready = postgres == "ok" && started();
            return Results.Json(new Readiness(ready ? "ready" : "not ready", postgres, silo), statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }

    private static async Task<string> CheckDatabaseAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DatabaseTimeout);
        try
        {
            await using var command = database.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return "ok";
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // The reason, never the connection string (it may hold a password).
            return exception is OperationCanceledException ? $"unreachable: no answer within {DatabaseTimeout.TotalSeconds:0} s" : $"unreachable: {exception.GetType().Name}";
        }
    }

    /// <summary>The readiness answer.</summary>
    /// <param name="Status">ready or not ready.</param>
    /// <param name="Postgres">ok, or why PostgreSQL is unreachable.</param>
    /// <param name="Silo">started or not started.</param>
    public sealed record Readiness(string Status, string Postgres, string Silo);
}
