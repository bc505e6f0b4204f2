using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Silo.Api;

namespace Granary.Tests.Host;

/// <summary>
/// What the API answers when a grain call fails: a caller can tell "not applied, retry" (503) from "may have been
/// applied, look first" (503 for a broken database write, 502 for a broken silo connection, 504 for a timeout).
/// </summary>
public sealed class Failed_calls_map_to_clear_statuses
{
    private const string Resource = "Kustomization flux-system/apps";

    [Fact]
    public void A_silo_that_left_or_a_database_that_is_down_answers_503_not_applied()
    {
        foreach (var exception in new Exception[]
        {
            new SiloUnavailableException("Silo 10.0.0.7:11111@3 is leaving the cluster; call ReconcileAsync on grain kustomization/flux-system/apps was not delivered."),
            new DatabaseUnavailableException("Call ReconcileAsync on grain kustomization/flux-system/apps failed and can be retried once the database is back. PostgreSQL at db:5432 is unreachable"),
        })
        {
            var (status, reason, message) = ApiServices.ErrorFor(exception, Resource, "reconcile");

            Assert.Equal((503, "Unavailable"), (status, reason));
            Assert.StartsWith($"{Resource}: reconcile was not applied; retry in a few seconds.", message, StringComparison.Ordinal);
            Assert.Contains(exception.Message, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_write_whose_outcome_is_unknown_says_to_check_before_retrying()
    {
        var database = new DatabaseUnavailableException("Call ApplyAsync on grain kustomization/flux-system/apps failed and its outcome is unknown: read the grain's state before retrying it.");
        var (status, _, message) = ApiServices.ErrorFor(database, Resource, "apply");
        Assert.Equal(503, status);
        Assert.Contains("may have been applied", message, StringComparison.Ordinal);

        var lost = new IOException("The call stream to silo 10.0.0.7:11111@3 broke while call ApplyAsync on grain kustomization/flux-system/apps was in flight; its outcome is unknown, so it was not retried.");
        var (lostStatus, lostReason, _) = ApiServices.ErrorFor(lost, Resource, "apply");
        Assert.Equal((502, "CallLost"), (lostStatus, lostReason));

        var timeout = new GrainCallTimeoutException(new GrainId("kustomization", "flux-system/apps"), "ApplyAsync", TimeSpan.FromSeconds(30));
        var (timeoutStatus, timeoutReason, _) = ApiServices.ErrorFor(timeout, Resource, "apply");
        Assert.Equal((504, "Timeout"), (timeoutStatus, timeoutReason));
    }
}
