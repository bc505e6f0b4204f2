using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.EventStore;
using Granary.Grains.Resources;

namespace Granary.Silo.Resources;

/// <summary>
/// What the API needs to know about one resource kind: how to reach its grain (apply, reconcile, suspend, resume,
/// delete) and how to fold its event stream into a view (now, or as it was at a time).
/// </summary>
public abstract class ResourceKind
{
    /// <summary>The kind as written in YAML, e.g. <c>Kustomization</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The API version the kind is read with.</summary>
    public abstract string ApiVersion { get; }

    /// <summary>The grain kind, which is also the stream id prefix, e.g. <c>kustomization</c>.</summary>
    public abstract string GrainKind { get; }

    /// <summary>Applies in this order relative to other kinds (sources before what consumes them).</summary>
    public abstract int ApplyOrder { get; }

    /// <summary>The event stream of the resource <paramref name="key"/>.</summary>
    public string StreamId(string key) => $"{GrainKind}/{key}";

    /// <summary>Applies a parsed document of this kind through its grain.</summary>
    public abstract Task ApplyAsync(IGrainFactory grains, ResourceDocument document);

    /// <summary>Asks the grain to reconcile now (optionally fetching its source first), recorded with the actor.</summary>
    public abstract Task ReconcileAsync(IGrainFactory grains, string key, bool withSource);

    /// <summary>Suspends the resource, recording the actor and reason.</summary>
    public abstract Task SuspendAsync(IGrainFactory grains, string key, string? reason);

    /// <summary>Resumes the resource.</summary>
    public abstract Task ResumeAsync(IGrainFactory grains, string key);

    /// <summary>Deletes the resource (a Kustomization with prune deletes what it applied).</summary>
    public abstract Task DeleteAsync(IGrainFactory grains, string key);

    /// <summary>The resource now, folded from its snapshot and later events; null when the stream is empty.</summary>
    public abstract Task<ResourceView?> LoadAsync(PostgresEventStore store, string key, CancellationToken cancellationToken);

    /// <summary>The resource as it was at <paramref name="asOf"/>: its events up to that instant, folded; null when it had none.</summary>
    public abstract Task<ResourceView?> LoadAsOfAsync(PostgresEventStore store, string key, DateTimeOffset asOf, CancellationToken cancellationToken);
}

/// <summary>A resource kind whose grain state is <typeparamref name="TState"/>, folded the way the grain folds it.</summary>
public abstract class ResourceKind<TState> : ResourceKind where TState : ResourceState, new()
{
    /// <summary>Folds one event (the grain state's own fold).</summary>
    protected abstract TState Fold(TState state, object @event);

    /// <summary>The view of a folded state.</summary>
    protected abstract ResourceView View(string key, TState state, long version);

    /// <inheritdoc />
    public override async Task<ResourceView?> LoadAsync(PostgresEventStore store, string key, CancellationToken cancellationToken)
    {
        var history = await store.LoadAggregateAsync<TState>(StreamId(key), cancellationToken);
        var state = history.Snapshot?.State ?? new TState();
        var version = history.Snapshot?.Version ?? 0;
        foreach (var recorded in history.Events)
        {
            state = Fold(state, recorded.Data);
            version = recorded.StreamVersion;
        }

        return version == 0 ? null : View(key, state, version);
    }

    /// <inheritdoc />
    public override async Task<ResourceView?> LoadAsOfAsync(PostgresEventStore store, string key, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var state = new TState();
        long version = 0;
        await foreach (var recorded in store.ReadStreamAsOfAsync(StreamId(key), asOf, cancellationToken))
        {
            state = Fold(state, recorded.Data);
            version = recorded.StreamVersion;
        }

        return version == 0 ? null : View(key, state, version);
    }

    /// <summary>The metadata of a folded state.</summary>
    protected static ResourceViewMetadata Metadata(string key, TState state) =>
        new(key[(key.IndexOf('/') + 1)..], key[..key.IndexOf('/')], state.Generation, state.Labels);
}
