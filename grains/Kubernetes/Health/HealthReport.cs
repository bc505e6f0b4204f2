using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Health;

/// <summary>The health of every checked object after waiting; <see cref="Message"/> lists the ones that are not healthy and why.</summary>
public sealed record HealthReport(IReadOnlyDictionary<ObjectReference, HealthStatus> Objects, bool TimedOut, TimeSpan Waited)
{
    /// <summary>Whether every object is Current.</summary>
    public bool Healthy => Objects.Values.All(s => s.State == HealthState.Current);

    /// <summary>The objects that are not Current.</summary>
    public IEnumerable<KeyValuePair<ObjectReference, HealthStatus>> NotReady => Objects.Where(o => o.Value.State != HealthState.Current);

    /// <summary>A one-paragraph summary naming each unhealthy object and its reason.</summary>
    public string Message
    {
        get
        {
            if (Healthy)
            {
                return $"all {Objects.Count} objects are healthy";
            }

            var notReady = NotReady.ToList();
            var head = TimedOut
                ? $"timed out after {Waited.TotalSeconds:0.#} s waiting for {notReady.Count} object(s) to become healthy"
                : $"{notReady.Count} object(s) failed";
            return $"{head}: {string.Join("; ", notReady.Select(o => $"{o.Key}: {o.Value.State}: {o.Value.Message}"))}";
        }
    }
}
