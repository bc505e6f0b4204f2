using System.Net;
using System.Net.Sockets;

namespace Granary.Tests.Host.Cli;

public sealed class Unreachable_server_error_names_the_url
{
    [Fact]
    public async Task The_message_names_the_address_and_how_to_start_a_silo()
    {
        // A port that was free a moment ago: nothing listens on it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var run = await CliRun.RunAsync(["get", "--server", $"http://127.0.0.1:{port}", "--token", "some-token-0123456789abcdef"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"http://127.0.0.1:{port}/", run.Error);
        Assert.Contains("make run", run.Error);
        Assert.DoesNotContain("some-token-0123456789abcdef", run.Error);
        Assert.Equal(string.Empty, run.Output);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error_naming_it()
    {
        var run = await CliRun.RunAsync(["get", "--colour", "red"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown option '--colour'", run.Error);
    }
}
