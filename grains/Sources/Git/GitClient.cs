using System.Collections.Concurrent;
using System.Globalization;

namespace Granary.Grains.Sources.Git;

/// <summary>
/// <see cref="IGitClient"/> on the <c>git</c> command line. Each repository has a bare cache under
/// <see cref="GitClientOptions.CacheDirectory"/> keyed by a hash of its URL; a checkout fetches only the wanted
/// commit (<c>--depth 1</c>), or nothing when the cache already has it, then writes the tree with a private index.
/// </summary>
public sealed class GitClient(GitClientOptions options) : IGitClient
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _cacheLocks = new(StringComparer.Ordinal);
    private long _listRemoteCount;
    private long _fetchCount;

    /// <summary>How many <c>git ls-remote</c> commands this client has run.</summary>
    public long ListRemoteCount => Interlocked.Read(ref _listRemoteCount);

    /// <summary>How many <c>git fetch</c> commands this client has run (a cached commit needs none).</summary>
    public long FetchCount => Interlocked.Read(ref _fetchCount);

    /// <summary>The bare cache directory of <paramref name="url"/>.</summary>
    public string CachePathFor(GitRepositoryUrl url) => Path.Combine(options.CacheDirectory, url.CacheKey + ".git");

    /// <inheritdoc />
    public async Task<GitRemoteRefs> ListRemoteAsync(GitRepositoryUrl url, GitCredentials? credentials, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var environment = GitCommandEnvironment.Create(options.ScratchDirectory, url, credentials);
        Interlocked.Increment(ref _listRemoteCount);
        var output = await RunAsync(environment, url, "listing refs (git ls-remote)", timeout, cancellationToken, "ls-remote", "--", url.CommandLine);
        return GitRemoteRefs.Parse(output);
    }

    /// <inheritdoc />
    public async Task CheckoutAsync(GitRepositoryUrl url, GitCredentials? credentials, GitRevision revision, string destination, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = GitDeadline.After(timeout);
        using var environment = GitCommandEnvironment.Create(options.ScratchDirectory, url, credentials);
        var cache = CachePathFor(url);
        var cacheLock = _cacheLocks.GetOrAdd(cache, _ => new SemaphoreSlim(1, 1));
        await cacheLock.WaitAsync(cancellationToken);
        try
        {
            await EnsureCacheAsync(environment, url, cache, deadline.Remaining, cancellationToken);
            if (!await HasCommitAsync(environment, url, cache, revision.Commit, deadline.Remaining, cancellationToken))
            {
                await FetchAsync(environment, url, cache, revision, deadline, cancellationToken);
            }

            await CheckTreeSizeAsync(environment, url, cache, revision, deadline.Remaining, cancellationToken);
            await WriteTreeAsync(environment, url, cache, revision, destination, deadline, cancellationToken);
        }
        catch (Exception error) when (error is OperationCanceledException || error is GitSourceException { Failure: GitSourceFailure.TimedOut })
        {
            // A killed git can leave lock files behind; a fresh cache costs one full fetch, a stale one every fetch.
            DeleteCache(cache);
            throw;
        }
        finally
        {
            cacheLock.Release();
        }
    }

    private async Task EnsureCacheAsync(GitCommandEnvironment environment, GitRepositoryUrl url, string cache, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(cache, "HEAD")))
        {
            return;
        }

        // Initialise beside the final path and move it in, so a half-created cache is never used.
        Directory.CreateDirectory(options.CacheDirectory);
        var building = cache + ".init-" + Path.GetRandomFileName();
        await RunAsync(environment, url, "creating the repository cache (git init)", timeout, cancellationToken, "init", "--bare", "--quiet", building);
        if (Directory.Exists(cache))
        {
            Directory.Delete(cache, recursive: true);
        }

        Directory.Move(building, cache);
    }

    private static void DeleteCache(string cache)
    {
        try
        {
            if (Directory.Exists(cache))
            {
                Directory.Delete(cache, recursive: true);
            }
        }
        catch (IOException)
        {
            // The next checkout finds the cache broken and fails; it is recreated once this directory is gone.
        }
    }

    private async Task<bool> HasCommitAsync(GitCommandEnvironment environment, GitRepositoryUrl url, string cache, string commit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(environment, url, "looking up a cached commit", timeout, cancellationToken, "--git-dir", cache, "cat-file", "-e", commit + "^{commit}");
            return true;
        }
        catch (GitSourceException error) when (error.Failure == GitSourceFailure.GitOperationFailed)
        {
            return false;
        }
    }

    private async Task FetchAsync(GitCommandEnvironment environment, GitRepositoryUrl url, string cache, GitRevision revision, GitDeadline deadline, CancellationToken cancellationToken)
    {
        const string Operation = "fetching (git fetch)";
        string[] common = ["--git-dir", cache, "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"];

        try
        {
            // The exact commit, shallow: what most servers (protocol v2, GitHub, GitLab) allow.
            Interlocked.Increment(ref _fetchCount);
            await RunAsync(environment, url, Operation, deadline.Remaining, cancellationToken, [.. common, "--depth=1", "--", url.CommandLine, revision.Commit]);
            return;
        }
        catch (GitSourceException error) when (error.Failure == GitSourceFailure.GitOperationFailed && (revision.RefName is not null || revision.DeepFetch))
        {
            // The server does not serve unadvertised objects: fetch the ref instead, below.
        }

        string[] depth = revision.DeepFetch
            ? File.Exists(Path.Combine(cache, "shallow")) ? ["--unshallow"] : []
            : ["--depth=1"];
        var refspec = revision.RefName is null ? "+refs/heads/*:refs/granary/heads/*" : $"+{revision.RefName}:refs/granary/fetched";
        Interlocked.Increment(ref _fetchCount);
        await RunAsync(environment, url, Operation, deadline.Remaining, cancellationToken, [.. common, .. depth, "--", url.CommandLine, refspec]);

        if (!await HasCommitAsync(environment, url, cache, revision.Commit, deadline.Remaining, cancellationToken))
        {
            throw revision.DeepFetch
                ? new GitSourceException(GitSourceFailure.RefNotFound,
                    $"Git repository '{url.Display}' has no commit {revision.Commit}{(revision.RefName is null ? "" : " on " + revision.RefName)}: check spec.ref.commit.")
                : new GitSourceException(GitSourceFailure.GitOperationFailed,
                    $"{revision.RefName} of '{url.Display}' moved away from {revision.Commit} during the fetch; the next attempt picks up the new commit.");
        }
    }

    private async Task CheckTreeSizeAsync(GitCommandEnvironment environment, GitRepositoryUrl url, string cache, GitRevision revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var listing = await RunAsync(environment, url, "measuring the tree (git ls-tree)", timeout, cancellationToken,
            "--git-dir", cache, "ls-tree", "-r", "-l", "--full-tree", revision.Commit);
        long bytes = 0;
        var entries = 0;
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            entries++;
            var tab = line.IndexOf('\t');
            var fields = (tab < 0 ? line : line[..tab]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 4 && long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                bytes += size;
            }
        }

        if (entries > options.MaxTreeEntries || bytes > options.MaxTreeBytes)
        {
            throw new GitSourceException(GitSourceFailure.TooLarge,
                $"Revision {revision.Revision} of '{url.Display}' has {entries} files and {bytes} bytes, over the limit of {options.MaxTreeEntries} files and {options.MaxTreeBytes} bytes.");
        }
    }

    private async Task WriteTreeAsync(GitCommandEnvironment environment, GitRepositoryUrl url, string cache, GitRevision revision, string destination, GitDeadline deadline, CancellationToken cancellationToken)
    {
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new ArgumentException($"The checkout destination '{destination}' is not empty.", nameof(destination));
        }

        Directory.CreateDirectory(destination);

        // A private index keeps concurrent checkouts of one cache apart and leaves the cache untouched.
        environment.Set("GIT_INDEX_FILE", Path.Combine(environment.Directory, "index"));
        await RunAsync(environment, url, "reading the tree (git read-tree)", deadline.Remaining, cancellationToken,
            "--git-dir", cache, "--work-tree", destination, "read-tree", revision.Commit);
        await RunAsync(environment, url, "writing the tree (git checkout-index)", deadline.Remaining, cancellationToken,
            "--git-dir", cache, "--work-tree", destination, "checkout-index", "--all", "--force");
    }

    private Task<string> RunAsync(GitCommandEnvironment environment, GitRepositoryUrl url, string operation, TimeSpan timeout, CancellationToken cancellationToken, params string[] arguments) =>
        GitProcess.RunAsync(new GitProcess.Invocation(options.GitExecutable, arguments, environment, url, operation, timeout, options.MaxOutputBytes), cancellationToken);
}
