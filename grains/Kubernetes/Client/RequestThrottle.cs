using System.Threading.RateLimiting;

namespace Granary.Grains.Kubernetes.Client;

/// <summary>
/// The request limits of one cluster: a token bucket for QPS and burst, and a cap on requests in flight. Several
/// <see cref="KubernetesClient"/> instances for the same cluster (other identities, rotated credentials) share one
/// through <see cref="KubernetesClientOptions.Throttle"/>, so the cluster sees the limits of all of them together.
/// </summary>
public sealed class RequestThrottle : IDisposable
{
    private readonly TokenBucketRateLimiter rate;
    private readonly SemaphoreSlim inFlight;

    /// <summary>At most <paramref name="queriesPerSecond"/> sustained, <paramref name="burst"/> at once above it, <paramref name="maxConcurrency"/> in flight.</summary>
    public RequestThrottle(double queriesPerSecond, int burst, int maxConcurrency)
    {
        if (queriesPerSecond <= 0 || burst < 1 || maxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(queriesPerSecond), "QPS must be positive, burst and concurrency at least 1.");
        }

        QueriesPerSecond = queriesPerSecond;
        Burst = burst;
        MaxConcurrency = maxConcurrency;
        var perPeriod = (int)Math.Ceiling(queriesPerSecond / 100);
        rate = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / queriesPerSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        inFlight = new SemaphoreSlim(maxConcurrency);
    }

    /// <summary>Sustained requests per second.</summary>
    public double QueriesPerSecond { get; }

    /// <summary>Requests allowed at once above the sustained rate.</summary>
    public int Burst { get; }

    /// <summary>Requests in flight at once.</summary>
    public int MaxConcurrency { get; }

    /// <summary>Waits for a token of the rate limit (one per request attempt).</summary>
    public async ValueTask<IDisposable> AcquireRateAsync(CancellationToken cancellationToken) => await rate.AcquireAsync(1, cancellationToken);

    /// <summary>Waits for a free in-flight slot; release it with <see cref="Exit"/>.</summary>
    public Task EnterAsync(CancellationToken cancellationToken) => inFlight.WaitAsync(cancellationToken);

    /// <summary>Frees the in-flight slot taken by <see cref="EnterAsync"/>.</summary>
    public void Exit() => inFlight.Release();

    /// <inheritdoc />
    public void Dispose()
    {
        rate.Dispose();
        inFlight.Dispose();
    }
}
