using Granary.Contracts.Grains;
using Granary.EventStore;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime;

/// <summary>
/// A grain whose state is the fold of its own event stream. On activation it loads its latest snapshot and
/// folds the events after it; <see cref="RaiseAsync(object[])"/> appends at the expected version, then applies.
/// </summary>
/// <typeparam name="TState">The folded state; serializable with System.Text.Json (it is snapshotted).</typeparam>
public abstract class EventSourcedGrain<TState> : Grain where TState : class, new()
{
    /// <summary>The state as of <see cref="Version"/>.</summary>
    protected TState State { get; private set; } = new();

    /// <summary>The stream version <see cref="State"/> reflects (0 before the first event).</summary>
    protected long Version { get; private set; }

    /// <summary>The event stream, <c>kind/key</c> by default.</summary>
    protected virtual string StreamId => GrainId.ToString();

    /// <summary>Folds one event into the state; must be deterministic and free of side effects.</summary>
    protected abstract TState Apply(TState state, object @event);

    /// <summary>
    /// Appends, retrying a transient database failure with the same event ids: if the first try committed and
    /// only its reply was lost, the store recognises the retry and reports the original result. A try after a lost
    /// connection runs on a fresh one (Npgsql drops the broken pool when a connection breaks).
    /// </summary>
    private async Task<AppendResult> AppendWithRetryAsync(EventData[] data, EventMetadata metadata, CancellationToken cancellationToken)
    {
        var outcomeUnknown = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Runtime.EventStore.AppendAsync(StreamId, ExpectedVersion.Exact(Version), data, metadata, cancellationToken);
            }
            catch (PostgresUnavailableException unavailable) when (attempt < 3)
            {
                outcomeUnknown |= unavailable.OutcomeUnknown;
                Logger.LogWarning(unavailable, "Append to {Stream} failed: PostgreSQL unreachable (attempt {Attempt}); retrying with the same events", StreamId, attempt);
            }
            catch (PostgresUnavailableException unavailable) when (outcomeUnknown && !unavailable.OutcomeUnknown)
            {
                // This try certainly wrote nothing, but an earlier one may have.
                throw new PostgresUnavailableException(unavailable.Endpoint!, $"the append to stream '{StreamId}'", outcomeUnknown: true, unavailable.InnerException ?? unavailable);
            }
            catch (Npgsql.NpgsqlException exception) when (exception.IsTransient && attempt < 3)
            {
                Logger.LogWarning(exception, "Append to {Stream} failed transiently (attempt {Attempt}); retrying with the same events", StreamId, attempt);
            }
        }
    }

    internal override async Task ActivateCoreAsync(CancellationToken cancellationToken)
    {
        var history = await Runtime.EventStore.LoadAggregateAsync<TState>(StreamId, cancellationToken);
        if (history.Snapshot is { } snapshot)
        {
            State = snapshot.State;
            Version = snapshot.Version;
        }

        foreach (var recorded in history.Events)
        {
            State = Apply(State, recorded.Data);
            Version = recorded.StreamVersion;
        }

        await OnActivateAsync(cancellationToken);
    }

    /// <summary>
    /// Appends <paramref name="events"/> atomically at the current version, stamped with the call's correlation,
    /// causation and actor, then applies them. If another activation wrote first, this one deactivates and the
    /// call fails with a retryable <see cref="GrainConflictException"/>.
    /// </summary>
    protected Task RaiseAsync(params object[] events) => RaiseAsync(events, CancellationToken.None);

    /// <summary>See <see cref="RaiseAsync(object[])"/>.</summary>
    protected async Task RaiseAsync(IReadOnlyList<object> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        var context = CallContext;
        var metadata = new EventMetadata(context?.CorrelationId, context?.MessageId, context?.Actor);
        var data = new EventData[events.Count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = EventData.Create(events[i]);
        }

        AppendResult result;
        try
        {
            result = await AppendWithRetryAsync(data, metadata, cancellationToken);
        }
        catch (WrongExpectedVersionException conflict)
        {
            // This activation's state is stale: leave before the queued calls, which then see fresh state.
            Activation.DeactivateAfterCurrentTurn();
            throw new GrainConflictException(GrainId, Version, conflict);
        }
        catch (PostgresUnavailableException unavailable) when (unavailable.OutcomeUnknown)
        {
            // The events may be stored: this activation's state may be stale, so the next call reloads the stream.
            Activation.DeactivateAfterCurrentTurn();
            throw;
        }

        var before = Version;
        foreach (var @event in events)
        {
            State = Apply(State, @event);
        }

        Version = result.NextExpectedVersion;
        var every = Runtime.Options.SnapshotEvery;
        if (every > 0 && before / every != Version / every)
        {
            await Runtime.EventStore.Snapshots.SaveAsync(StreamId, Version, State, cancellationToken);
        }
    }
}
