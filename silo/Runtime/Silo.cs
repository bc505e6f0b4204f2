using System.Diagnostics;
using Granary.Contracts.Grains;
using Granary.EventStore;
using Granary.EventStore.Schema;
using Granary.Runtime.Calls;
using Granary.Runtime.Clustering;
using Granary.Runtime.Directory;
using Granary.Runtime.Membership;
using Granary.Runtime.Reminders;
using Granary.Runtime.Schema;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime;

/// <summary>
/// One silo: hosts grain activations on top of the event store, delivers calls, timers and reminders, and
/// deactivates idle grains. Start it with <see cref="StartAsync"/>; call grains through <see cref="GrainFactory"/>.
/// </summary>
public sealed class Silo : IAsyncDisposable
{
    private readonly SiloRuntime _runtime;
    private readonly ReminderService _reminders;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _collector;
    private int _stopped;

    private Silo(SiloRuntime runtime)
    {
        _runtime = runtime;
        _reminders = new ReminderService(runtime, runtime.Reminders);
        _reminders.Start();
        _collector = Task.Run(() => CollectIdleAsync(_stopping.Token));
        Terminated = runtime.Cluster is { } cluster ? TerminateWhenLostAsync(cluster) : new TaskCompletionSource<SiloTermination>().Task;
    }

    /// <summary>
    /// Completes when a clustered silo has stopped serving on its own — declared dead by its peers, or unable to
    /// renew its lease in time. The host should then exit; a new process joins as a new generation. Never completes
    /// for a single silo or after a graceful <see cref="StopAsync"/>.
    /// </summary>
    public Task<SiloTermination> Terminated { get; }

    /// <summary>This silo's identity in the cluster (null for a single silo).</summary>
    public SiloAddress? Address => _runtime.Cluster?.Self;

    /// <summary>The latest membership view this silo has read (null for a single silo).</summary>
    public MembershipView? ClusterView => _runtime.Cluster?.Membership.View;

    /// <summary>The grains with an activation in this silo.</summary>
    public IReadOnlyCollection<GrainId> ActiveGrains => [.. _runtime.Directory.All.Select(a => a.Id)];

    /// <summary>The clustering internals, for tests.</summary>
    internal SiloCluster? Cluster => _runtime.Cluster;

    /// <summary>Calls grains hosted by this silo.</summary>
    public IGrainFactory GrainFactory => _runtime;

    /// <summary>The event store the grains write to.</summary>
    public PostgresEventStore EventStore => _runtime.EventStore;

    /// <summary>This silo's options.</summary>
    public SiloOptions Options => _runtime.Options;

    /// <summary>The call dispatcher behind every grain reference.</summary>
    internal IGrainCallDispatcher Dispatcher => _runtime;

    /// <summary>How many activations live in this silo.</summary>
    public int ActivationCount => _runtime.Directory.Count;

    /// <summary>Opens the event store (migrating the schema), then starts the reminder service and the idle collector.</summary>
    public static async Task<Silo> StartAsync(SiloOptions options, CancellationToken cancellationToken = default)
    {
        var storeOptions = new EventStoreOptions { ConnectionString = options.ConnectionString, Schema = options.Schema };
        var store = await PostgresEventStore.OpenAsync(storeOptions, options.EventTypes, cancellationToken);
        try
        {
            await new SchemaMigrator(store.DataSource, storeOptions, RuntimeMigrations.Component, RuntimeMigrations.All).MigrateAsync(cancellationToken);
            var logger = options.LoggerFactory.CreateLogger("Granary.Runtime");
            var runtime = new SiloRuntime(options, store, new ReminderTable(store.DataSource, options.Schema), logger);
            if (options.Cluster is { } clusterOptions)
            {
                runtime.Cluster = new SiloCluster(runtime, clusterOptions, new MembershipTable(store.DataSource, options.Schema), new GrainDirectoryTable(store.DataSource, options.Schema));
                try
                {
                    await runtime.Cluster.StartAsync(cancellationToken);
                }
                catch
                {
                    await runtime.Cluster.DisposeAsync();
                    throw;
                }
            }

            logger.LogInformation("Silo {Silo} started on schema {Schema} with grain kinds {Kinds}", options.Name, options.Schema, string.Join(", ", options.Grains.Kinds));
            return new Silo(runtime);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether a grain currently has an activation in this silo.</summary>
    public bool IsActive(GrainId grain) => _runtime.Directory.TryGet(grain, out _);

    /// <summary>Deactivates a grain after its current turn (as idle collection would); completes when it is gone.</summary>
    public Task DeactivateAsync(GrainId grain)
    {
        if (!_runtime.Directory.TryGet(grain, out var activation))
        {
            return Task.CompletedTask;
        }

        activation.RequestDeactivation();
        return activation.Gone;
    }

    /// <summary>Deactivates every activation idle for at least <paramref name="age"/>; returns how many were asked to leave.</summary>
    public int CollectIdle(TimeSpan age)
    {
        var collected = 0;
        foreach (var activation in _runtime.Directory.All)
        {
            if (activation.IsIdle && activation.IdleFor >= age)
            {
                activation.RequestDeactivation();
                collected++;
            }
        }

        return collected;
    }

    private async Task CollectIdleAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_runtime.Options.CollectionInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                CollectIdle(_runtime.Options.IdleDeactivationAge);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Stops timers and reminders, deactivates every grain (finishing in-flight turns), and closes the store. A
    /// clustered silo leaves gracefully: ShuttingDown first (placement moves its grains to the other silos, calls
    /// that still arrive are forwarded there), then Dead once every activation has been handed over.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        var cluster = _runtime.Cluster;
        var leaveStarted = Stopwatch.GetTimestamp();
        if (cluster is not null && !cluster.Membership.IsTerminated)
        {
            try
            {
                await cluster.BeginLeaveAsync(cancellationToken);
                _runtime.Logger.LogInformation("Silo {Silo} is shutting down: finishing in-flight turns and handing {Count} activations over", cluster.Self, _runtime.Directory.Count);
            }
            catch (Exception exception)
            {
                _runtime.Logger.LogWarning(exception, "Silo {Silo} could not announce it is shutting down; peers will declare it dead when its lease expires", cluster.Self);
            }
        }

        await _stopping.CancelAsync();
        await _collector;
        await _reminders.DisposeAsync();
        var leaving = _runtime.Directory.All.Select(activation =>
        {
            activation.RequestDeactivation();
            return activation.Gone;
        }).ToArray();
        try
        {
            await Task.WhenAll(leaving).WaitAsync(_runtime.Options.CallTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            _runtime.Logger.LogWarning("Silo {Silo} stopped with activations still busy after {Timeout}", _runtime.Options.Name, _runtime.Options.CallTimeout);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's grace period ran out: leave anyway; the busy grains' next owners take their rows over.
            _runtime.Logger.LogWarning("Silo {Silo} stopped with {Busy} activations still busy when its shutdown grace period ran out", _runtime.Options.Name, leaving.Count(t => !t.IsCompleted));
        }

        if (cluster is not null)
        {
            if (!cluster.Membership.IsTerminated)
            {
                try
                {
                    // Peers route by the view they read at their last heartbeat: until each has read ShuttingDown, calls
                    // may still arrive here, and this silo forwards them. Only then stop listening.
                    var drain = 2 * _runtime.Options.Cluster!.HeartbeatInterval - Stopwatch.GetElapsedTime(leaveStarted);
                    if (drain > TimeSpan.Zero)
                    {
                        await Task.Delay(drain, CancellationToken.None);
                    }

                    // Marking this silo Dead is quick and spares peers a lease timeout, so it runs even after the grace period.
                    using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await cluster.CompleteLeaveAsync(last.Token);
                }
                catch (Exception exception)
                {
                    _runtime.Logger.LogWarning(exception, "Silo {Silo} could not mark itself dead; peers will when its lease expires", cluster.Self);
                }
            }

            await cluster.DisposeAsync();
        }

        _runtime.Stop();
        _runtime.Metrics.Dispose();
        await _runtime.EventStore.DisposeAsync();
    }

    /// <summary>
    /// Stops serving when the cluster has lost this silo: no new turns (calls fail as unavailable), in-flight turns
    /// cancelled, reminders and idle collection stopped, activations dropped. Claims are released where the database
    /// still allows it (a newer claim by the grain's new owner is never touched).
    /// </summary>
    private async Task<SiloTermination> TerminateWhenLostAsync(SiloCluster cluster)
    {
        var termination = await cluster.Membership.Terminated;
        _runtime.Stop();
        await _stopping.CancelAsync();
        await _reminders.DisposeAsync();
        foreach (var activation in _runtime.Directory.All)
        {
            activation.RequestDeactivation();
        }

        return termination;
    }

    /// <summary>
    /// Simulates a frozen or cut-off process, for tests: heartbeats stop and the silo sees no newer view, but its
    /// activations stay and its own grain factory still reaches them (they are zombies once peers declare it dead).
    /// </summary>
    internal async Task FreezeAsync()
    {
        await (_runtime.Cluster?.Membership.FreezeAsync() ?? Task.CompletedTask);
        await _reminders.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();
}
