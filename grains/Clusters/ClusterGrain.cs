using Granary.Contracts.Clusters;
using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Resources;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Clusters;

/// <summary>
/// A Cluster. Its timer probes the API server (<c>/readyz</c>, <c>/version</c>) at <c>spec.interval</c> with credentials read
/// from the referenced Secret; only transitions are recorded (<see cref="ClusterConnected"/> when it answers after not
/// answering, or with a new version; <see cref="ClusterUnreachable"/> when it stops answering or the reason changes). It
/// reports its labels to the fleet directory of its namespace, and tells silos how to connect (<see cref="GetConnectionAsync"/>).
/// </summary>
public sealed class ClusterGrain(ClusterConnectionResolver resolver) : ResourceGrain<ClusterState>, IClusterGrain
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private KubernetesClient? _probe;
    private string? _probeFingerprint;
    private bool _reported;

    /// <inheritdoc />
    protected override ClusterState Apply(ClusterState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    protected override string KindName => "Cluster";

    /// <inheritdoc />
    protected override TimeSpan? ReconcilePeriod => State.Spec is { } spec ? spec.Interval?.Value ?? DefaultInterval : null;

    /// <inheritdoc />
    protected override bool IsSuspended => State.Suspended || State.Spec?.Suspend == true;

    /// <inheritdoc />
    public async Task<ClusterStatus> ApplyAsync(Cluster resource)
    {
        await DeclareAsync(resource);
        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public async Task<long> DeclareAsync(Cluster resource)
    {
        if (resource.Key != Key)
        {
            throw new ArgumentException($"Cluster {resource.Key} was sent to grain {Key}; apply each resource to the grain of its own namespace/name.");
        }

        if (SpecChanged(State.Spec, resource.Spec, resource.Metadata.Labels))
        {
            var labelsChanged = !State.Exists || !SameLabels(State.Labels, resource.Metadata.Labels);
            await RaiseAsync(new ClusterSpecApplied(State.Generation + 1, resource.Spec, resource.Metadata.Labels));
            await KeepAliveAsync(ReconcilePeriod!.Value);
            Schedule(TimeSpan.Zero);
            if (labelsChanged)
            {
                await ReportAsync();
            }
        }

        return State.Generation;
    }

    /// <inheritdoc />
    public async Task<ClusterStatus> ReconcileAsync()
    {
        await ReconcileOnceAsync(CancellationToken.None);
        return Status();
    }

    /// <inheritdoc />
    public async Task<ClusterStatus> RequestReconcileAsync()
    {
        await RecordReconcileRequestAsync(withSource: false);
        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public async Task DeleteAsync()
    {
        if (!State.Exists)
        {
            return;
        }

        await RecordDeletedAsync();
        DisposeProbe();
        await GrainFactory.Get<IClusterDirectoryGrain>(Namespace).LeaveAsync(Key);
    }

    /// <inheritdoc />
    public Task<ClusterStatus> GetStatusAsync() => Task.FromResult(Status());

    /// <inheritdoc />
    public Task<ClusterConnectionInfo?> GetConnectionAsync() =>
        Task.FromResult(State.Exists && State.Spec is { } spec ? new ClusterConnectionInfo(Key, Namespace, State.Generation, spec) : null);

    /// <inheritdoc />
    public override Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        DisposeProbe();
        return Task.CompletedTask;
    }

    /// <summary>One probe: resolve the connection (reading the Secret, so rotation is noticed), ask the server, record a transition.</summary>
    protected override async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        if (!State.Exists || State.Spec is not { } spec)
        {
            return;
        }

        if (!_reported)
        {
            // Once per activation, in case a report was lost; the directory records nothing when it already knows.
            await ReportAsync();
        }

        if (IsSuspended)
        {
            return;
        }

        var generation = State.Generation;
        ProbeResult result;
        try
        {
            var client = await ProbeClientAsync(new ClusterConnectionInfo(Key, Namespace, generation, spec), cancellationToken);
            result = await ClusterProbe.RunAsync(client, cancellationToken);
        }
        catch (ClusterConnectionException e)
        {
            result = new ProbeResult.Failed(e.Reason, e.Message);
        }

        await RecordAsync(generation, result);
    }

    private async Task RecordAsync(long generation, ProbeResult result)
    {
        var observed = State.ObservedGeneration == generation;
        switch (result)
        {
            case ProbeResult.Connected connected:
                if (State.Failure is not null || State.Connected is not { } last || !observed || last.Version != connected.Version || last.Server != connected.Server)
                {
                    await RaiseAsync(new ClusterConnected(generation, connected.Server, connected.Version, connected.Platform, DateTimeOffset.UtcNow));
                    Logger.LogInformation("Cluster {Resource} connected to {Server} ({Version})", Key, connected.Server, connected.Version);
                }

                break;
            case ProbeResult.Failed failed:
                if (State.Failure is not { } previous || previous.Reason != failed.Reason || !observed)
                {
                    await RaiseAsync(new ClusterUnreachable(generation, failed.Reason, failed.Message, DateTimeOffset.UtcNow));
                    Logger.LogWarning("Cluster {Resource} is not usable: {Reason}: {Message}", Key, failed.Reason, failed.Message);
                }
                else
                {
                    Logger.LogDebug("Cluster {Resource} is still not usable: {Reason}", Key, failed.Reason);
                }

                break;
        }
    }

    /// <summary>The probe's own client (no shared limits, few retries, the spec's timeout), rebuilt when the connection's inputs change.</summary>
    private async Task<KubernetesClient> ProbeClientAsync(ClusterConnectionInfo info, CancellationToken cancellationToken)
    {
        var resolved = await resolver.ResolveAsync(info, cancellationToken);
        if (_probe is null || _probeFingerprint != resolved.Fingerprint)
        {
            DisposeProbe();
            var timeout = info.Spec.Timeout?.Value ?? DefaultTimeout;
            _probe = new KubernetesClient(resolved.Connection, new KubernetesClientOptions
            {
                MaxRetries = 1,
                RequestTimeout = timeout,
                ConnectTimeout = timeout < DefaultTimeout ? timeout : DefaultTimeout,
                QueriesPerSecond = 10,
                Burst = 10,
                MaxConcurrency = 2,
            });
            _probeFingerprint = resolved.Fingerprint;
        }

        return _probe;
    }

    private async Task ReportAsync()
    {
        await GrainFactory.Get<IClusterDirectoryGrain>(Namespace).ReportAsync(Key, State.Labels);
        _reported = true;
    }

    private void DisposeProbe()
    {
        _probe?.Dispose();
        _probe = null;
        _probeFingerprint = null;
    }

    private static bool SameLabels(Dictionary<string, string>? a, Dictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? []).All(pair => b!.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private ClusterStatus Status() => StatusOf(State);

    /// <summary>The status of <paramref name="state"/>, as the grain reports it (the API folds the same from the log).</summary>
    public static ClusterStatus StatusOf(ClusterState state)
    {
        var labels = (IReadOnlyDictionary<string, string>?)state.Labels ?? new Dictionary<string, string>();
        if (!state.Exists)
        {
            return new ClusterStatus(false, state.Generation, state.ObservedGeneration, false, [], null, null, labels);
        }

        var conditions = new List<Condition>();
        var since = state.ReadySince;
        if (state.Failure is { } failure)
        {
            conditions.Add(new Condition("Ready", "False", failure.Reason, failure.Message, state.ObservedGeneration, since));
            conditions.Add(failure.Reason is ClusterReasons.InvalidSpec
                ? new Condition("Stalled", "True", failure.Reason, failure.Message, state.ObservedGeneration, since)
                : new Condition("Reconciling", "True", "ProgressingWithRetry", $"probing every {state.Spec?.Interval?.Value ?? DefaultInterval}", state.ObservedGeneration, since));
        }
        else if (state.Connected is { } connected)
        {
            conditions.Add(new Condition("Ready", "True", ClusterReasons.Connected, $"connected to {connected.Server} ({connected.Version})", state.ObservedGeneration, since));
        }
        else
        {
            conditions.Add(new Condition("Ready", "Unknown", "Progressing", "probing the API server", state.Generation, since));
        }

        return new ClusterStatus(true, state.Generation, state.ObservedGeneration, (state.Suspended || state.Spec?.Suspend == true), conditions, state.Connected?.Server, state.Connected?.Version, labels);
    }
}
