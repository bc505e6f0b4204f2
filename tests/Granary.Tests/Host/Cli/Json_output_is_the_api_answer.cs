using System.Text.Json.Nodes;
using Granary.Testing;

namespace Granary.Tests.Host.Cli;

public sealed class Json_output_is_the_api_answer : CliTestBase
{
    [Fact]
    public async Task Get_with_o_json_prints_valid_json_for_a_list_and_for_one_resource()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));

        JsonNode list = null!;
        await Eventually.WaitUntilAsync(async () =>
        {
            var run = await RunAsync(ReadToken, "get", "gitrepositories", "-n", Ns, "-o", "json");
            list = JsonNode.Parse(run.Output)!;
            return list["items"]!.AsArray().Count == 1;
        }, Deadline, "the repository listed");
        Assert.Equal("fleet", list["items"]![0]!["name"]!.GetValue<string>());

        var one = await RunAsync(ReadToken, "get", "gitrepository", "fleet", "-n", Ns, "-o", "json");
        var view = JsonNode.Parse(one.Output)!;
        Assert.Equal("GitRepository", view["kind"]!.GetValue<string>());
        Assert.Equal("10m0s", view["spec"]!["interval"]!.GetValue<string>());

        var yaml = await RunAsync(ReadToken, "get", "gitrepository", "fleet", "-n", Ns, "-o", "yaml");
        Assert.Contains("kind: GitRepository", yaml.Output);
    }

    [Fact]
    public async Task Events_print_one_json_object_a_line_and_the_cursor_on_stderr()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));

        var run = await RunAsync(ReadToken, "events");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.All(lines, l => Assert.NotNull(JsonNode.Parse(l)!["position"]));
        Assert.Contains(lines, l => l.Contains($"{Ns}/fleet"));
        Assert.Contains("next cursor:", run.Error);

        var cursor = run.Error[(run.Error.IndexOf("next cursor: ", StringComparison.Ordinal) + "next cursor: ".Length)..].Split(' ')[0];
        var after = await RunAsync(ReadToken, "events", "--after", cursor);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.DoesNotContain("gitrepository.spec-applied", after.Output);
    }
}
