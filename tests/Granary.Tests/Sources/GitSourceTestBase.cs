using Granary.Testing.Git;
using Granary.Grains.Artifacts;
using Granary.Grains.Sources.Git;

namespace Granary.Tests.Sources;

/// <summary>A <see cref="GitSource"/> over a real <see cref="GitClient"/> with private cache and scratch directories.</summary>
public abstract class GitSourceTestBase : IDisposable
{
    protected GitSourceTestBase()
    {
        Root = Path.Combine(Path.GetTempPath(), "granary-git-test-" + Path.GetRandomFileName());
        Client = NewClient("client");
        Source = NewSource(Client, "source");
    }

    /// <summary>A private directory deleted after the test.</summary>
    protected string Root { get; }

    /// <summary>The client <see cref="Source"/> uses.</summary>
    protected GitClient Client { get; }

    /// <summary>The source under test.</summary>
    protected GitSource Source { get; }

    /// <summary>Limits small enough that tests can exceed them cheaply.</summary>
    protected static ArtifactLimits Limits { get; } = new();

    /// <summary>A client with its own cache and scratch directories under <see cref="Root"/>.</summary>
    protected GitClient NewClient(string name, string git = "git") => new(new GitClientOptions
    {
        GitExecutable = git,
        CacheDirectory = Path.Combine(Root, name, "cache"),
        ScratchDirectory = Path.Combine(Root, name, "scratch"),
    });

    /// <summary>A source over <paramref name="client"/> with its own scratch directory.</summary>
    protected GitSource NewSource(IGitClient client, string name) =>
        new(client, new ArtifactBuilder(Limits), new ArtifactExtractor(Limits), Path.Combine(Root, name));

    private readonly List<IDisposable> _owned = [];

    /// <summary>A new repository on <paramref name="branch"/>, deleted after the test.</summary>
    internal TestGitRepository NewRepository(string branch = "main")
    {
        var repository = TestGitRepository.Create(branch);
        _owned.Add(repository);
        return repository;
    }

    /// <summary>Fetches and expects a new artifact.</summary>
    protected async Task<Artifact> FetchNewAsync(GitSourceRequest request, GitSource? source = null)
    {
        var result = await (source ?? Source).FetchAsync(request, lastRevision: null, CancellationToken.None);
        return Assert.IsType<GitFetchResult.Fetched>(result).Artifact;
    }

    /// <summary>Extracts an artifact and lists its files (relative, slash-separated) with their contents.</summary>
    protected async Task<IReadOnlyDictionary<string, string>> FilesOfAsync(Artifact artifact)
    {
        var target = Path.Combine(Root, "extracted-" + Path.GetRandomFileName());
        await new ArtifactExtractor(Limits).ExtractAsync(artifact.Bytes, target);
        return Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(target, f).Replace('\\', '/'), File.ReadAllText);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _owned.ForEach(o => o.Dispose());
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
