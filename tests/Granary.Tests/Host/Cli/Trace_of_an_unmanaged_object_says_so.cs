namespace Granary.Tests.Host.Cli;

public sealed class Trace_of_an_unmanaged_object_says_so : CliTestBase
{
    [Fact]
    public async Task The_message_names_the_object_and_the_cluster_and_the_exit_code_is_one()
    {
        var run = await RunAsync(ReadToken, "trace", "apps/v1", "Deployment", "shop", "web", "--cluster", "edge-1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not found (404)", run.Error);
        Assert.Contains("Deployment shop/web (apps/v1) in cluster edge-1", run.Error);
    }
}
