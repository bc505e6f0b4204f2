using System.Text.Json.Nodes;

namespace Granary.Tests.Host.Cli;

public sealed class At_shows_the_spec_of_that_time_and_verify_reports_intact_chains : CliTestBase
{
    [Fact]
    public async Task At_the_first_spec_change_the_first_interval_is_shown()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet", "1m"));
        await ApplyOkAsync(GitRepositoryYaml("fleet", "2m"));
        var history = JsonNode.Parse((await RunAsync(ReadToken, "history", "gitrepository", "fleet", "-n", Ns, "-o", "json")).Output)!;
        var first = history["items"]!.AsArray().First(e => e!["type"]!.GetValue<string>() == "gitrepository.spec-applied")!["time"]!.GetValue<string>();

        var then = await RunAsync(ReadToken, "at", first, "gitrepository", "fleet", "-n", Ns);
        var now = await RunAsync(ReadToken, "get", "gitrepository", "fleet", "-n", Ns, "-o", "yaml");

        Assert.True(then.ExitCode == 0, then.ToString());
        Assert.Contains("interval: 1m0s", then.Output);
        Assert.Contains("generation: 1", then.Output);
        Assert.Contains("interval: 2m0s", now.Output);
    }

    [Fact]
    public async Task Verify_reports_every_stream_and_one_resource_intact()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));

        var all = await RunAsync(ReadToken, "verify");
        var one = await RunAsync(ReadToken, "verify", "gitrepository", "fleet", "-n", Ns);

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.StartsWith("intact: ", all.Output);
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Contains("fleet: intact (", one.Output);
    }
}
