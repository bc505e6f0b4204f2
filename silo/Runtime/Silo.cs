using Granary.Contracts.Grains;
using Granary.EventStore;
using Granary.EventStore.Schema;
using Granary.Runtime.Calls;
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
    }

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

    /// <summary>Stops timers and reminders, deactivates every grain (finishing in-flight turns), and closes the store.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
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

        _runtime.Stop();
        _runtime.Metrics.Dispose();
        await _runtime.EventStore.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();
}
