using Granary.Grains.Sources.Git;

namespace Granary.Tests.Sources;

/// <summary>A failure is recorded when it changes; git's timing in a message must not make the same failure look new.</summary>
public sealed class Repeated_git_failures_read_the_same
{
    [Theory]
    [InlineData("fatal: unable to access 'https://127.0.0.1:1/fleet.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server")]
    [InlineData("fatal: unable to access 'https://127.0.0.1:1/fleet.git/': Failed to connect to 127.0.0.1 port 1 after 12 ms: Couldn't connect to server")]
    public void Curls_elapsed_time_is_left_out(string stderr) =>
        Assert.Equal("fatal: unable to access 'https://127.0.0.1:1/fleet.git/': Failed to connect to 127.0.0.1 port 1: Couldn't connect to server", GitProcess.Stable(stderr));

    [Fact]
    public void Other_messages_are_kept_as_they_are()
    {
        const string message = "fatal: repository 'file:///tmp/missing' does not exist";
        Assert.Equal(message, GitProcess.Stable(message));
    }
}
