using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Resources;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sources;

/// <summary>
/// The part every artifact source shares (HelmChart, OCIRepository): apply and declare a spec, reconcile on request, delete,
/// subscribers told about each new artifact, and failures recorded once per distinct failure.
/// </summary>
public abstract class SourceGrain<TState, TResource> : ResourceGrain<TState>
    where TState : SourceState, new()
    where TResource : ResourceDocument
{
    /// <summary>The spec last applied (null before the first apply or after deletion).</summary>
    protected abstract object? AppliedSpec { get; }

    /// <summary>The spec and interval of <paramref name="resource"/>.</summary>
    protected abstract (object Spec, TimeSpan Interval) SpecOf(TResource resource);

    /// <summary>The event recording <paramref name="resource"/> as generation <paramref name="generation"/>.</summary>
    protected abstract object SpecApplied(long generation, TResource resource);

    /// <summary>The event recording a new subscriber.</summary>
    protected abstract object SubscriberAdded(GrainId subscriber);

    /// <summary>The event recording a failed pass.</summary>
    protected abstract object PassFailed(long generation, string reason, string message, DateTimeOffset at);

    /// <summary>The status of the current state, as Flux's <c>status</c> would show it.</summary>
    protected abstract SourceStatus Status();

    /// <summary>Creates or changes the resource; a changed spec is recorded and reconciled at once.</summary>
    public async Task<SourceStatus> ApplyAsync(TResource resource)
    {
        await DeclareAsync(resource);
        return await ReconcileAsync();
    }

    /// <summary>Records the resource when it changed and reconciles on its own turn; returns its generation.</summary>
    public async Task<long> DeclareAsync(TResource resource)
    {
        if (resource.Key != Key)
        {
            throw new ArgumentException($"{KindName} {resource.Key} was sent to grain {Key}; apply each resource to the grain of its own namespace/name.");
        }

        var (spec, interval) = SpecOf(resource);
        if (SpecChanged(AppliedSpec, spec, resource.Metadata.Labels))
        {
            await RaiseAsync(SpecApplied(State.Generation + 1, resource));
            await KeepAliveAsync(interval);
            Schedule(TimeSpan.Zero);
        }

        return State.Generation;
    }

    /// <summary>Reconciles now (no-op while suspended) and returns the status afterwards.</summary>
    public async Task<SourceStatus> ReconcileAsync()
    {
        await ReconcileOnceAsync(CancellationToken.None);
        return Status();
    }

    /// <summary>Someone asked for a reconcile now; recorded with the actor.</summary>
    public async Task<SourceStatus> RequestReconcileAsync()
    {
        await RecordReconcileRequestAsync(withSource: false);
        return await ReconcileAsync();
    }

    /// <summary>Deletes the resource: no more passes, status gone.</summary>
    public async Task DeleteAsync()
    {
        if (State.Exists)
        {
            await RecordDeletedAsync();
        }
    }

    /// <summary>Registers a consumer to be told about new artifacts (idempotent).</summary>
    public async Task<SourceArtifact?> SubscribeAsync(GrainId subscriber)
    {
        if (!State.Subscribers.Contains(subscriber))
        {
            await RaiseAsync(SubscriberAdded(subscriber));
        }

        return State.Artifact;
    }

    /// <summary>The current status.</summary>
    public Task<SourceStatus> GetStatusAsync() => Task.FromResult(Status());

    /// <summary>Tells every subscriber about the latest artifact.</summary>
    protected async Task TellSubscribersAsync()
    {
        foreach (var subscriber in State.Subscribers)
        {
            await GrainFactory.Get<ISourceSubscriber>(subscriber).SourceChangedAsync(GrainId, State.Artifact!);
        }
    }

    /// <summary>Records a failed pass unless it is the same failure at the same generation as the last one.</summary>
    protected async Task RecordFailureAsync(long generation, string reason, string message)
    {
        Logger.LogWarning("{Kind} {Resource} failed: {Reason}: {Message}", KindName, Key, reason, message);
        if (State.Failure is not { } last || last.Reason != reason || last.Message != message || State.ObservedGeneration != generation)
        {
            await RaiseAsync(PassFailed(generation, reason, message, DateTimeOffset.UtcNow));
        }
    }
}
