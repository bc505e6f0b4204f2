using Granary.Testing.Git;
using System.Collections.Concurrent;
using Granary.Contracts.Events;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Artifacts;
using Granary.Grains.Secrets;
using Granary.Grains.Sources;
using Granary.Grains.Sources.Git;
using Granary.Runtime;
using Granary.Runtime.Calls;
using Granary.Testing;
using Granary.Testing.Runtime;

namespace Granary.Tests.Sources;

public interface ITestConsumerGrain : ISourceSubscriber;

/// <summary>Stands in for a Kustomization: records what its sources tell it.</summary>
public sealed class TestConsumerGrain(ConcurrentQueue<string> told) : Grain, ITestConsumerGrain
{
    public Task SourceChangedAsync(GrainId source, SourceArtifact artifact)
    {
        told.Enqueue($"{source}@{artifact.Revision}");
        return Task.CompletedTask;
    }
}

public sealed class GitRepository_grain_follows_its_repository : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _scratch = Directory.CreateTempSubdirectory("granary-gitgrain-").FullName;
    private readonly TestGitRepository _repository = TestGitRepository.Create();
    private readonly ConcurrentQueue<string> _told = new();
    private TestSilo _silo = null!;

    public async Task InitializeAsync()
    {
        _repository.Commit(new Dictionary<string, string> { ["apps/config.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n" });
        var limits = new ArtifactLimits();
        var source = new GitSource(
            new GitClient(new GitClientOptions { CacheDirectory = Path.Combine(_scratch, "cache"), ScratchDirectory = Path.Combine(_scratch, "tmp") }),
            new ArtifactBuilder(limits), new ArtifactExtractor(limits), Path.Combine(_scratch, "work"));
        _silo = await TestSilo.StartAsync(c =>
        {
            var options = new SiloOptions { ConnectionString = c.ConnectionString, Schema = c.Schema, ReminderPollInterval = TimeSpan.FromMilliseconds(200) };
            options.Grains
                .Add<IGitRepositoryGrain, GitRepositoryGrain>(() => new GitRepositoryGrain(source, new NoManagementCluster()))
                .Add<ITestConsumerGrain, TestConsumerGrain>(() => new TestConsumerGrain(_told));
            options.EventTypes.RegisterAnnotated(typeof(ArtifactFetched).Assembly);
            return options;
        });
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        _repository.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    private GitRepository Resource(string url, string interval = "10m", GitRepositoryRef? reference = null) => new()
    {
        ApiVersion = GitRepository.Version,
        Kind = "GitRepository",
        Metadata = new ObjectMetadata { Name = "fleet", Namespace = "flux-system" },
        Spec = new GitRepositorySpec { Url = url, Interval = GoDuration.Parse(interval), Ref = reference ?? new GitRepositoryRef { Branch = "main" } },
    };

    private IGitRepositoryGrain Grain => _silo.Grains.Get<IGitRepositoryGrain>("flux-system/fleet");

    private async Task<List<string>> EventTypesAsync()
    {
        var types = new List<string>();
        await foreach (var e in _silo.Silo.EventStore.ReadStreamAsync("gitrepository/flux-system/fleet"))
        {
            types.Add(e.EventType);
        }

        return types;
    }

    [Fact]
    public async Task Applying_it_stores_the_artifact_of_the_branch_head_and_reports_ready()
    {
        var status = await Grain.ApplyAsync(Resource(_repository.Url));

        Assert.True(status.IsReady, string.Join("; ", status.Conditions.Select(c => c.Message)));
        Assert.Equal($"main@sha1:{_repository.Head()}", status.Artifact!.Revision);
        Assert.StartsWith("sha256:", status.Artifact.Digest);
        Assert.True(await _silo.Silo.EventStore.Blobs.ExistsAsync(status.Artifact.Digest));
        Assert.Equal(["gitrepository.spec-applied", "gitrepository.artifact-fetched"], await EventTypesAsync());
        Assert.Equal((1L, 1L), (status.Generation, status.ObservedGeneration));
    }

    [Fact]
    public async Task An_unchanged_revision_appends_nothing_and_a_new_commit_reaches_subscribers()
    {
        await Grain.ApplyAsync(Resource(_repository.Url));
        await Grain.SubscribeAsync(new GrainId("testconsumer", "flux-system/apps"));
        var before = (await EventTypesAsync()).Count;

        await Grain.ReconcileAsync();
        await Grain.ReconcileAsync();
        Assert.Equal(before, (await EventTypesAsync()).Count);

        var commit = _repository.Commit(new Dictionary<string, string> { ["apps/more.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n" });
        var status = await Grain.ReconcileAsync();

        Assert.Equal($"main@sha1:{commit}", status.Artifact!.Revision);
        await Eventually.WaitUntilAsync(() => _told.Contains($"gitrepository/flux-system/fleet@main@sha1:{commit}"), Deadline, "the subscriber to be told about the new commit");
    }

    [Fact]
    public async Task The_interval_timer_picks_up_new_commits_by_itself()
    {
        await Grain.ApplyAsync(Resource(_repository.Url, interval: "1s"));
        var commit = _repository.Commit(new Dictionary<string, string> { ["apps/timer.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\n" });

        await Eventually.WaitUntilAsync(async () => (await Grain.GetStatusAsync()).Artifact?.Revision == $"main@sha1:{commit}", Deadline, "the timer to fetch the new commit");
    }

    [Fact]
    public async Task An_unreachable_repository_fails_once_naming_the_url_without_credentials()
    {
        var status = await Grain.ApplyAsync(Resource("https://alice:s3cr3t@127.0.0.1:1/fleet.git"));
        await Grain.ReconcileAsync();
        await Grain.ReconcileAsync();

        var ready = Assert.Single(status.Conditions, c => c.Type == "Ready");
        Assert.Equal("False", ready.Status);
        Assert.Contains("127.0.0.1:1/fleet.git", ready.Message);
        Assert.DoesNotContain("s3cr3t", ready.Message);
        Assert.Single(await EventTypesAsync(), t => t == "gitrepository.fetch-failed");
    }

    [Fact]
    public async Task Suspend_stops_fetching_until_resumed_and_both_are_recorded_with_the_actor()
    {
        await Grain.ApplyAsync(Resource(_repository.Url));
        using (GrainCallContext.Begin(actor: "alice"))
        {
            await Grain.SuspendAsync("maintenance");
        }

        var commit = _repository.Commit(new Dictionary<string, string> { ["apps/x.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" });
        var suspended = await Grain.ReconcileAsync();
        Assert.True(suspended.Suspended);
        Assert.NotEqual($"main@sha1:{commit}", suspended.Artifact!.Revision);

        await Grain.ResumeAsync();
        Assert.Equal($"main@sha1:{commit}", (await Grain.ReconcileAsync()).Artifact!.Revision);

        var actors = new List<(string, string?)>();
        await foreach (var e in _silo.Silo.EventStore.ReadStreamAsync("gitrepository/flux-system/fleet"))
        {
            actors.Add((e.EventType, e.Actor));
        }

        Assert.Contains(("resource.suspended", "alice"), actors);
    }

    [Fact]
    public async Task After_a_silo_restart_the_state_comes_back_from_events_without_fetching_again()
    {
        var first = await Grain.ApplyAsync(Resource(_repository.Url));
        var events = (await EventTypesAsync()).Count;

        await _silo.RestartAsync();
        var status = await Grain.GetStatusAsync();

        Assert.Equal(first.Artifact, status.Artifact);
        Assert.True(status.IsReady);
        await Grain.ReconcileAsync();
        Assert.Equal(events, (await EventTypesAsync()).Count);
    }

    [Fact]
    public async Task An_included_repository_is_copied_in_and_its_changes_rebuild_the_artifact()
    {
        using var shared = TestGitRepository.Create();
        shared.Commit(new Dictionary<string, string> { ["policies/limits.yaml"] = "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: l\n" });
        var sharedGrain = _silo.Grains.Get<IGitRepositoryGrain>("flux-system/shared");
        await sharedGrain.ApplyAsync(Resource(shared.Url) with { Metadata = new ObjectMetadata { Name = "shared", Namespace = "flux-system" } });

        var withInclude = Resource(_repository.Url) with
        {
            Spec = Resource(_repository.Url).Spec with
            {
                Include = [new GitRepositoryInclude { Repository = new LocalObjectReference { Name = "shared" }, FromPath = "policies", ToPath = "common/policies" }],
            },
        };
        var first = await Grain.ApplyAsync(withInclude);
        Assert.True(first.IsReady, string.Join("; ", first.Conditions.Select(c => c.Message)));
        Assert.Contains("common/policies/limits.yaml", await EntriesAsync(first.Artifact!.Digest));

        shared.Commit(new Dictionary<string, string> { ["policies/quota.yaml"] = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\n" });
        await sharedGrain.ReconcileAsync();

        await Eventually.WaitUntilAsync(async () => (await Grain.GetStatusAsync()).Artifact!.Digest != first.Artifact.Digest, Deadline, "the including artifact to be rebuilt");
        var rebuilt = await Grain.GetStatusAsync();
        Assert.Equal(first.Artifact.Revision, rebuilt.Artifact!.Revision);
        Assert.Contains("common/policies/quota.yaml", await EntriesAsync(rebuilt.Artifact.Digest));
    }

    private async Task<List<string>> EntriesAsync(string digest)
    {
        var bytes = await _silo.Silo.EventStore.Blobs.GetAsync(digest);
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes!), System.IO.Compression.CompressionMode.Decompress);
        using var tar = new System.Formats.Tar.TarReader(gzip);
        var entries = new List<string>();
        while (tar.GetNextEntry() is { } entry)
        {
            entries.Add(entry.Name.TrimStart('.', '/'));
        }

        return entries;
    }
}
