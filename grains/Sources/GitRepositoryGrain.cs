using System.Text.Json;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Artifacts;
using Granary.Grains.Resources;
using Granary.Grains.Secrets;
using Granary.Grains.Sources.Git;
using Granary.Runtime;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Sources;

/// <summary>
/// A GitRepository. Its timer fetches at <c>spec.interval</c> (a durable reminder wakes it after restarts);
/// an unchanged revision costs one <c>ls-remote</c> and appends nothing; a new commit becomes a deterministic
/// artifact in the blob store, an <see cref="ArtifactFetched"/> event, and a message to every subscriber.
/// </summary>
public sealed class GitRepositoryGrain(GitSource git, ISecretReader secrets) : ResourceGrain<GitRepositoryState>, IGitRepositoryGrain
{
    private static readonly JsonSerializerOptions SpecJson = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    protected override GitRepositoryState Apply(GitRepositoryState state, object @event) => state.Apply(@event);

    /// <inheritdoc />
    protected override string KindName => "GitRepository";

    /// <inheritdoc />
    protected override TimeSpan? ReconcilePeriod => State.Spec?.Interval.Value;

    /// <inheritdoc />
    protected override bool IsSuspended => State.Suspended || State.Spec?.Suspend == true;

    /// <inheritdoc />
    public async Task<SourceStatus> ApplyAsync(GitRepository resource)
    {
        await DeclareAsync(resource);
        return await ReconcileAsync();
    }

    /// <inheritdoc />
    public async Task<long> DeclareAsync(GitRepository resource)
    {
        if (resource.Key != Key)
        {
            throw new ArgumentException($"GitRepository {resource.Key} was sent to grain {Key}; apply each resource to the grain of its own namespace/name.");
        }

        if (SpecChanged(State.Spec, resource.Spec, resource.Metadata.Labels))
        {
            await RaiseAsync(new GitRepositorySpecApplied(State.Generation + 1, resource.Spec, resource.Metadata.Labels));
            await KeepAliveAsync(resource.Spec.Interval.Value);
            Schedule(TimeSpan.Zero);
        }

        return State.Generation;
    }

    /// <inheritdoc />
    public async Task<SourceStatus> ReconcileAsync()
    {
        await ReconcileOnceAsync(CancellationToken.None);
        return Status();
    }

    /// <inheritdoc />
    public async Task<SourceStatus> RequestReconcileAsync()
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
    }

    /// <inheritdoc />
    public async Task<SourceArtifact?> SubscribeAsync(GrainId subscriber)
    {
        if (!State.Subscribers.Contains(subscriber))
        {
            await RaiseAsync(new SubscriberAdded(subscriber.Kind, subscriber.Key));
        }

        return State.Artifact;
    }

    /// <inheritdoc />
    public Task<SourceStatus> GetStatusAsync() => Task.FromResult(Status());

    /// <summary>One pass: get credentials, fetch (ls-remote first), store a new artifact, tell subscribers.</summary>
    protected override async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        if (!State.Exists || State.Spec is not { } spec || IsSuspended)
        {
            return;
        }

        var generation = State.Generation;
        GitFetchResult result;
        string inputs;
        try
        {
            var credentials = await CredentialsAsync(spec, cancellationToken);
            var includes = await IncludesAsync(spec, cancellationToken);
            inputs = Fingerprint(spec, includes);
            var rebuild = State.ObservedInputs != inputs;
            var request = new GitSourceRequest(spec.Url, ToGitRef(spec.Ref), spec.Timeout?.Value, credentials, spec.Ignore, includes);
            result = await git.FetchAsync(request, rebuild ? null : State.Artifact?.Revision, cancellationToken);
        }
        catch (Exception exception) when (exception is GitSourceException or ArtifactException or SecretReferenceException)
        {
            var reason = exception switch
            {
                GitSourceException git => git.Reason,
                ArtifactException => "ArtifactFailed",
                _ => "AuthenticationFailed",
            };
            Logger.LogWarning("GitRepository {Resource} fetch failed: {Reason}: {Message}", Key, reason, exception.Message);
            if (State.Failure is not { } last || last.Reason != reason || last.Message != exception.Message || State.ObservedGeneration != generation)
            {
                await RaiseAsync(new FetchFailed(generation, reason, exception.Message, DateTimeOffset.UtcNow));
            }

            return;
        }

        switch (result)
        {
            case GitFetchResult.Fetched fetched:
                var artifact = fetched.Artifact;
                var digest = await Blobs.PutAsync(artifact.Bytes, cancellationToken);
                await RaiseAsync(new ArtifactFetched(generation, artifact.Revision, digest, artifact.Size, artifact.Commit, DateTimeOffset.UtcNow, inputs));
                Logger.LogInformation("GitRepository {Resource} stored artifact for revision {Revision} ({Digest})", Key, artifact.Revision, digest);
                foreach (var subscriber in State.Subscribers)
                {
                    await GrainFactory.Get<ISourceSubscriber>(subscriber).SourceChangedAsync(GrainId, State.Artifact!);
                }

                break;
            case GitFetchResult.Unchanged unchanged when State.Failure is not null || State.ObservedGeneration != generation:
                await RaiseAsync(new FetchSucceeded(generation, unchanged.Revision, DateTimeOffset.UtcNow));
                break;
        }
    }

    /// <inheritdoc />
    public Task SourceChangedAsync(GrainId source, SourceArtifact artifact) => ReconcileOnceAsync(CancellationToken.None);

    /// <summary>The artifacts of included GitRepositories (same namespace); this one subscribes to them to rebuild when they change.</summary>
    private async Task<IReadOnlyList<ArtifactInclude>> IncludesAsync(GitRepositorySpec spec, CancellationToken cancellationToken)
    {
        var includes = new List<ArtifactInclude>();
        foreach (var include in spec.Include ?? [])
        {
            var key = $"{Namespace}/{include.Repository.Name}";
            var included = GrainFactory.Get<IGitRepositoryGrain>(key);
            var artifact = await included.SubscribeAsync(GrainId)
                ?? throw new ArtifactException($"spec.include: GitRepository {key} has no artifact yet; it is included once it has one");
            var bytes = await Blobs.GetAsync(artifact.Digest, cancellationToken)
                ?? throw new ArtifactException($"spec.include: the artifact {artifact.Digest} of GitRepository {key} is missing from the blob store");
            includes.Add(new ArtifactInclude(include.Repository.Name, bytes, include.FromPath, include.ToPath) { Digest = artifact.Digest });
        }

        return includes;
    }

    private static string Fingerprint(GitRepositorySpec spec, IReadOnlyList<ArtifactInclude> includes) =>
        Granary.EventStore.Blobs.BlobStore.DigestOf(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            spec.Ignore,
            includes = includes.Select(i => new { i.Name, i.FromPath, i.ToPath, i.Digest }),
        }, SpecJson)));

    private async Task<GitCredentials?> CredentialsAsync(GitRepositorySpec spec, CancellationToken cancellationToken)
    {
        if (spec.SecretRef is not { } reference)
        {
            return null;
        }

        var ns = Namespace;
        var data = await secrets.ReadAsync(ns, reference.Name, cancellationToken)
            ?? throw new SecretReferenceException($"spec.secretRef: Secret {ns}/{reference.Name} does not exist; create it with username/password, bearerToken, or identity and known_hosts");
        return GitCredentials.FromSecretData(data)
            ?? throw new SecretReferenceException($"spec.secretRef: Secret {ns}/{reference.Name} has none of username/password, bearerToken, identity; add the credentials Flux expects");
    }

    private static GitRef? ToGitRef(GitRepositoryRef? reference) => reference is null
        ? null
        : new GitRef(reference.Branch, reference.Tag, reference.Semver, reference.Name, reference.Commit);

    private SourceStatus Status() => StatusOf(State);

    /// <summary>The status of <paramref name="state"/>, as the grain reports it (the API folds the same from the log).</summary>
    public static SourceStatus StatusOf(GitRepositoryState state)
    {
        if (!state.Exists)
        {
            return new SourceStatus(false, state.Generation, state.ObservedGeneration, false, [], null);
        }

        var conditions = new List<Condition>();
        var since = state.ReadySince;
        if (state.Failure is { } failure)
        {
            conditions.Add(new Condition("Ready", "False", failure.Reason, failure.Message, state.ObservedGeneration, since));
            var stalled = failure.Reason is "InvalidSpec";
            conditions.Add(stalled
                ? new Condition("Stalled", "True", failure.Reason, failure.Message, state.ObservedGeneration, since)
                : new Condition("Reconciling", "True", "ProgressingWithRetry", $"retrying every {state.Spec!.Interval}", state.ObservedGeneration, since));
        }
        else if (state.Artifact is { } artifact)
        {
            conditions.Add(new Condition("Ready", "True", "Succeeded", $"stored artifact for revision '{artifact.Revision}'", state.ObservedGeneration, since));
        }
        else
        {
            conditions.Add(new Condition("Ready", "Unknown", "Progressing", "fetching the repository", state.Generation, since));
            conditions.Add(new Condition("Reconciling", "True", "Progressing", "fetching the repository", state.Generation, since));
        }

        return new SourceStatus(true, state.Generation, state.ObservedGeneration, (state.Suspended || state.Spec?.Suspend == true), conditions, state.Artifact);
    }

}
