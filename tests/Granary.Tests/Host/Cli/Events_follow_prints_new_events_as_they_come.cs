using System.Text.Json.Nodes;
using Granary.Testing;

namespace Granary.Tests.Host.Cli;

public sealed class Events_follow_prints_new_events_as_they_come : CliTestBase
{
    [Fact]
    public async Task An_apply_while_following_shows_up_as_ndjson_lines()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));
        await using var following = Start(ReadToken, "events", "--follow");
        await Eventually.WaitUntilAsync(() => following.Printed().Contains($"{Ns}/fleet"), Deadline, "the earlier events printed");
        await ApplyOkAsync(GitRepositoryYaml("second"));
        await Eventually.WaitUntilAsync(() => following.Printed().Contains($"{Ns}/second"), Deadline, "the new events printed");

        Assert.Equal(0, await following.InterruptAsync());
        var lines = following.Printed().ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.All(lines, l => Assert.NotNull(JsonNode.Parse(l)!["position"]));
        Assert.Equal(lines.Length, lines.Distinct().Count());
    }
}
