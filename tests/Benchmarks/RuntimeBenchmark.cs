using System.Diagnostics;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.EventStore;
using Granary.Runtime;
using Granary.Runtime.Calls;
using Granary.Testing;
using Granary.Testing.Runtime;

namespace Granary.Benchmarks;

/// <summary>Measures the single-silo runtime: call throughput, activation rates, activation latency, memory per activation.</summary>
internal static class RuntimeBenchmark
{
    private const int Callers = 64;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    public interface IBenchGrain : IGrain
    {
        [ReadOnly]
        Task<int> PeekAsync();

        Task BumpAsync();
    }

    public sealed class BenchGrain : Grain, IBenchGrain
    {
        private int _count;

        public Task<int> PeekAsync() => Task.FromResult(_count);

        public Task BumpAsync()
        {
            _count++;
            return Task.CompletedTask;
        }
    }

    [EventType("bench.ticked")]
    public sealed record Ticked(int N);

    public sealed class TickState
    {
        public long Sum { get; set; }
    }

    public interface IBenchHistoryGrain : IGrain
    {
        [ReadOnly]
        Task<long> SumAsync();
    }

    public sealed class BenchHistoryGrain : EventSourcedGrain<TickState>, IBenchHistoryGrain
    {
        protected override TickState Apply(TickState state, object @event)
        {
            state.Sum += ((Ticked)@event).N;
            return state;
        }

        public Task<long> SumAsync() => Task.FromResult(State.Sum);
    }

    /// <summary>A reference written the way a source generator would: a precompiled method and a direct dispatcher call.</summary>
    private sealed class DirectReference(GrainProxy proxy, TestSilo silo) : IBenchGrain
    {
        private static readonly GrainMethod Peek = GrainMethod.Create(typeof(IBenchGrain).GetMethod(nameof(PeekAsync))!);
        private static readonly GrainMethod Bump = GrainMethod.Create(typeof(IBenchGrain).GetMethod(nameof(BumpAsync))!);
        private readonly IGrainCallDispatcher _dispatcher = silo.Silo.Dispatcher;

        public Task<int> PeekAsync() => (Task<int>)Peek.Adapt(_dispatcher.CallAsync(proxy.GrainId, Peek, []));

        public Task BumpAsync() => _dispatcher.CallAsync(proxy.GrainId, Bump, []);
    }

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var silo = await TestSilo.StartAsync(c =>
        {
            var options = new SiloOptions { ConnectionString = c.ConnectionString, Schema = c.Schema, SnapshotEvery = 0 };
            options.Grains.Add<IBenchGrain, BenchGrain>().Add<IBenchHistoryGrain, BenchHistoryGrain>();
            options.EventTypes.Register<Ticked>("bench.ticked");
            return options;
        });

        var grains = Enumerable.Range(0, 256).Select(i => silo.Grains.Get<IBenchGrain>($"hot-{i}")).ToArray();
        await Task.WhenAll(grains.Select(g => g.BumpAsync()));

        Figures.Print("local_readonly_calls_per_s", await CallsPerSecondAsync(grains, g => g.PeekAsync(), cancellationToken), "calls/s");

        // The same calls through a hand-written reference, which is what a Roslyn source generator would emit:
        // the gap is the DispatchProxy's cost (the README's "Proxies" note).
        var direct = grains.Select(g => (IBenchGrain)new DirectReference((GrainProxy)(object)g, silo)).ToArray();
        Figures.Print("local_readonly_calls_per_s_generated_style_proxy", await CallsPerSecondAsync(direct, g => g.PeekAsync(), cancellationToken), "calls/s");
        Figures.Print("local_mutating_calls_per_s", await CallsPerSecondAsync(grains, g => g.BumpAsync(), cancellationToken), "calls/s");
        Figures.Print("activations_per_s", await ActivationsPerSecondAsync(silo, 100_000), "activations/s");
        Figures.Print("es_activations_per_s", await EventSourcedActivationsPerSecondAsync(silo, 5_000, cancellationToken), "activations/s");

        var (cold, warm) = await ActivateLongHistoryAsync(silo, cancellationToken);
        Figures.Print("activate_10k_events_ms", cold, "ms");
        Figures.Print("activate_10k_events_snapshot_ms", warm, "ms");
        Figures.Print("idle_activation_bytes", await IdleActivationBytesAsync(silo), "bytes");
    }

    private static async Task<double> CallsPerSecondAsync(IBenchGrain[] grains, Func<IBenchGrain, Task> call, CancellationToken cancellationToken)
    {
        for (var warmup = 0; warmup < 10_000; warmup++)
        {
            await call(grains[warmup % grains.Length]);
        }

        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            long calls = 0;
            var grain = grains[caller % grains.Length];
            while (clock.Elapsed < Window && !cancellationToken.IsCancellationRequested)
            {
                for (var i = 0; i < 100; i++)
                {
                    await call(grain);
                }

                calls += 100;
            }

            return calls;
        }, cancellationToken)));
        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ActivationsPerSecondAsync(TestSilo silo, int count)
    {
        var clock = Stopwatch.StartNew();
        await ForEachConcurrentlyAsync(count, i => silo.Grains.Get<IBenchGrain>($"fresh-{i}").BumpAsync());
        var rate = count / clock.Elapsed.TotalSeconds;
        await DeactivateAllAsync(silo);
        return rate;
    }

    private static async Task<double> EventSourcedActivationsPerSecondAsync(TestSilo silo, int count, CancellationToken cancellationToken)
    {
        var store = silo.Silo.EventStore;
        await ForEachConcurrentlyAsync(count, i => store.AppendAsync(
            $"benchhistory/es-{i}", ExpectedVersion.NoStream, Enumerable.Range(1, 10).Select(n => EventData.Create(new Ticked(n))).ToArray(), cancellationToken: cancellationToken));

        var clock = Stopwatch.StartNew();
        await ForEachConcurrentlyAsync(count, async i =>
        {
            if (await silo.Grains.Get<IBenchHistoryGrain>($"es-{i}").SumAsync() != 55)
            {
                throw new InvalidOperationException($"Grain es-{i} folded the wrong state.");
            }
        });
        var rate = count / clock.Elapsed.TotalSeconds;
        await DeactivateAllAsync(silo);
        return rate;
    }

    private static async Task<(double Cold, double Warm)> ActivateLongHistoryAsync(TestSilo silo, CancellationToken cancellationToken)
    {
        var store = silo.Silo.EventStore;
        var cold = new List<double>();
        var warm = new List<double>();
        for (var sample = 0; sample < 5; sample++)
        {
            var key = $"long-{sample}";
            for (var version = 0; version < 10_000; version += 1000)
            {
                await store.AppendAsync($"benchhistory/{key}", ExpectedVersion.Exact(version), Enumerable.Range(0, 1000).Select(n => EventData.Create(new Ticked(1))).ToArray(), cancellationToken: cancellationToken);
            }

            var grain = silo.Grains.Get<IBenchHistoryGrain>(key);
            var clock = Stopwatch.StartNew();
            var sum = await grain.SumAsync();
            cold.Add(clock.Elapsed.TotalMilliseconds);

            await store.Snapshots.SaveAsync($"benchhistory/{key}", 10_000, new TickState { Sum = sum }, cancellationToken);
            await silo.Silo.DeactivateAsync(new GrainId("benchhistory", key));
            clock.Restart();
            if (await grain.SumAsync() != 10_000)
            {
                throw new InvalidOperationException("The snapshot activation folded the wrong state.");
            }

            warm.Add(clock.Elapsed.TotalMilliseconds);
            await silo.Silo.DeactivateAsync(new GrainId("benchhistory", key));
        }

        return (Median(cold), Median(warm));
    }

    private static async Task<double> IdleActivationBytesAsync(TestSilo silo)
    {
        const int count = 20_000;
        await DeactivateAllAsync(silo);
        var grains = Enumerable.Range(0, count).Select(i => silo.Grains.Get<IBenchGrain>($"idle-{i}")).ToArray();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await ForEachConcurrentlyAsync(count, i => grains[i].PeekAsync());
        var after = GC.GetTotalMemory(forceFullCollection: true);
        if (silo.Silo.ActivationCount < count)
        {
            throw new InvalidOperationException($"Only {silo.Silo.ActivationCount} of {count} activations are live.");
        }

        GC.KeepAlive(grains);
        return (after - before) / (double)count;
    }

    private static async Task DeactivateAllAsync(TestSilo silo)
    {
        silo.Silo.CollectIdle(TimeSpan.Zero);
        await Eventually.WaitUntilAsync(() => silo.Silo.ActivationCount == 0, TimeSpan.FromMinutes(2), "every activation to deactivate");
    }

    private static Task ForEachConcurrentlyAsync(int count, Func<int, Task> body) =>
        Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Callers }, async (i, _) => await body(i));

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
