using System.Diagnostics;
using Granary.Grains.Sources.Git;
using Granary.Testing;

namespace Granary.Tests.Sources;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class Git_commands_are_killed_at_their_timeout : GitSourceTestBase
{
    [Fact]
    public async Task A_hanging_git_and_its_children_are_killed_and_the_error_says_so()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Root, "slow-git")).FullName;
        var git = Path.Combine(directory, "git");
        var pids = Path.Combine(directory, "pids");
        File.WriteAllText(git, $"#!/bin/sh\nsleep 300 &\necho $$ $! > '{pids}'\nwait\n");
        File.SetUnixFileMode(git, (UnixFileMode)0b111_000_000);
        var source = NewSource(NewClient("slow", git), "slow-source");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<GitSourceException>(() =>
            source.FetchAsync(new GitSourceRequest("https://git.example.com/r.git", Timeout: TimeSpan.FromSeconds(1)), null, CancellationToken.None));

        Assert.Equal(GitSourceFailure.TimedOut, error.Failure);
        Assert.Contains("did not finish within 1 s", error.Message);
        Assert.Contains("spec.timeout", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        var processes = File.ReadAllText(pids).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToList();
        Assert.Equal(2, processes.Count);
        await Eventually.WaitUntilAsync(() => processes.All(pid => !IsRunning(pid)), TimeSpan.FromSeconds(10), "git and its child to be killed");
    }

    [Fact]
    public async Task Output_beyond_the_limit_stops_the_command()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Root, "chatty-git")).FullName;
        var git = Path.Combine(directory, "git");
        File.WriteAllText(git, "#!/bin/sh\nexec yes 0000000000000000000000000000000000000000\trefs/heads/main\n");
        File.SetUnixFileMode(git, (UnixFileMode)0b111_000_000);
        var client = new GitClient(new GitClientOptions
        {
            GitExecutable = git,
            MaxOutputBytes = 64 * 1024,
            CacheDirectory = Path.Combine(Root, "chatty", "cache"),
            ScratchDirectory = Path.Combine(Root, "chatty", "scratch"),
        });

        var error = await Assert.ThrowsAsync<GitSourceException>(() =>
            client.ListRemoteAsync(GitRepositoryUrl.Parse("https://git.example.com/r.git"), null, TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.Equal(GitSourceFailure.TooLarge, error.Failure);
        Assert.Contains("more than 65536 bytes", error.Message);
    }

    // A killed process may linger as a zombie until reaped; only a live one counts.
    private static bool IsRunning(int pid)
    {
        var status = $"/proc/{pid}/status";
        return File.Exists(status) && !File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal);
    }
}
