using System.Collections.Concurrent;
using System.Diagnostics;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Health;

/// <summary>Polls objects until all are healthy, one fails for good, or the deadline passes.</summary>
public sealed class HealthWaiter(KubernetesClient client)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>Checks <paramref name="objects"/> now and every half second until they are Current or <paramref name="timeout"/> passes.</summary>
    public async Task<HealthReport> WaitAsync(IReadOnlyCollection<ObjectReference> objects, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var statuses = new ConcurrentDictionary<ObjectReference, HealthStatus>();
        var pending = objects.Distinct().ToList();
        while (true)
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = client.Options.MaxConcurrency, CancellationToken = cancellationToken },
                async (reference, ct) => statuses[reference] = await CheckAsync(reference, ct));
            pending = pending.Where(r => statuses[r].State != HealthState.Current).ToList();
            var failed = pending.Any(r => statuses[r].State == HealthState.Failed);
            if (pending.Count == 0 || failed)
            {
                return new HealthReport(new Dictionary<ObjectReference, HealthStatus>(statuses), false, clock.Elapsed);
            }

            if (clock.Elapsed + Interval > timeout)
            {
                return new HealthReport(new Dictionary<ObjectReference, HealthStatus>(statuses), true, clock.Elapsed);
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }

    /// <summary>The health of one object right now.</summary>
    public async Task<HealthStatus> CheckAsync(ObjectReference reference, CancellationToken cancellationToken)
    {
        var live = await client.TryGetAsync(reference, cancellationToken);
        return live is null ? new HealthStatus(HealthState.NotFound, "the object does not exist") : HealthRules.Evaluate(live);
    }
}
