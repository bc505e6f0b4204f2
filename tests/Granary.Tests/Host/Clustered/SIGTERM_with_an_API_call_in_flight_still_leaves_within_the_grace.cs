using System.Diagnostics;
using System.Globalization;
using Granary.Testing;
using Granary.Testing.Host;
using Granary.Tests.Kubernetes.Infrastructure;
using Xunit.Abstractions;

namespace Granary.Tests.Host.Clustered;

/// <summary>
/// A silo that gets SIGTERM while one of its API requests waits on a busy grain elsewhere still leaves the cluster at
/// once and exits within its grace: the request must not hold back the grain handover until the grace runs out.
/// </summary>
public sealed class SIGTERM_with_an_API_call_in_flight_still_leaves_within_the_grace(LocalKubernetes kubernetes, ITestOutputHelper output) : ClusteredHostTestBase(kubernetes, output), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_request_waiting_on_a_grain_turn_does_not_delay_the_leave()
    {
        // A Deployment no node ever runs: with wait: true the Kustomization's turn waits for its health for minutes.
        Repository.Commit(new Dictionary<string, string>
        {
            ["apps/stuck.yaml"] = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: stuck
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: stuck}}
                  template:
                    metadata: {labels: {app: stuck}}
                    spec:
                      containers: [{name: app, image: registry.invalid/stuck:1}]
                """,
        });
        var applying = Cluster.Silos[0].ApplyAsync(FleetYaml() + "\n  wait: true\n  timeout: 5m");
        await Eventually.WaitUntilAsync(async () => (await Kubernetes.Cluster.Admin.GetAsync($"/apis/apps/v1/namespaces/{Target}/deployments/stuck")) is not null,
            Deadline, "the Deployment to be applied (the Kustomization then waits for its health)");
        var busy = await HostOfAsync(Cluster.Silos, "kustomization");
        var leaving = Cluster.Silos.First(s => s != busy && s != Cluster.Silos[0]);

        // Queued behind the health wait, this call keeps the leaving silo's request open until the call times out.
        var waiting = await MailboxDepthAsync(busy);
        var inFlight = leaving.PostAsync(ResourcePath("Kustomization", "apps", "reconcile"));
        await Eventually.WaitUntilAsync(async () => await MailboxDepthAsync(busy) > waiting, Deadline, $"the reconcile request through {leaving.Name} to wait in the grain's mailbox on {busy.Name}");

        var clock = Stopwatch.StartNew();
        leaving.Terminate();
        var exitCode = await leaving.WaitForExitAsync(Clocks.ShutdownGrace + TimeSpan.FromSeconds(5));
        var exitedAfter = clock.Elapsed;
        Report($"{leaving.Name} exited {exitCode} {exitedAfter.TotalSeconds:0.0} s after SIGTERM with a request in flight; its log ends:\n{leaving.LogTail(8)}");
        Assert.True(exitCode == 0, $"{leaving.Name} exited {exitCode} after SIGTERM:\n{leaving.LogTail()}");
        Assert.True(exitedAfter < Clocks.ShutdownGrace, $"{leaving.Name} took {exitedAfter.TotalSeconds:0.0} s to exit, more than its {Clocks.ShutdownGrace.TotalSeconds} s grace:\n{leaving.LogTail()}");

        var survivors = Cluster.Live.ToList();
        await WaitForMembersAsync(survivors, survivors, $"the survivors to see {leaving.Name} gone");
        await Task.WhenAll(Ignore(inFlight), Ignore(applying));
    }

    /// <summary>How many messages wait in the mailboxes of <paramref name="silo"/> (its <c>/metrics</c>).</summary>
    private static async Task<double> MailboxDepthAsync(HostProcess silo)
    {
        var text = await silo.Reader.GetStringAsync("/metrics");
        return text.Split('\n').Where(l => l.StartsWith("granary_grain_mailbox_depth", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The answer of a call cut short by the shutdown does not matter here, only that it ends.</summary>
    private static async Task Ignore(Task call)
    {
        try
        {
            await call;
        }
        catch (Exception exception) when (exception is HostProcessCallException or HttpRequestException or TaskCanceledException)
        {
        }
    }
}
