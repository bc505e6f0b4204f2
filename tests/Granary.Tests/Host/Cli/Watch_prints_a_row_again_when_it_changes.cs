using Granary.Testing;

namespace Granary.Tests.Host.Cli;

public sealed class Watch_prints_a_row_again_when_it_changes : CliTestBase
{
    [Fact]
    public async Task Suspending_a_watched_repository_prints_its_row_again_and_ctrl_c_ends_with_zero()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));
        await using var watching = Start(ReadToken, "get", "gitrepository", "-n", Ns, "--watch");
        await Eventually.WaitUntilAsync(() => watching.Printed().Contains("fleet"), Deadline, "the first table printed");
        Assert.Equal(0, (await RunAsync(AdminToken, "suspend", "gitrepository", "fleet", "-n", Ns)).ExitCode);
        await Eventually.WaitUntilAsync(() => watching.Printed().Split('\n').Any(l => l.StartsWith("fleet") && l.Contains("True      ")), Deadline, "the suspended row printed");

        Assert.Equal(0, await watching.InterruptAsync());
        var lines = watching.Printed().ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.StartsWith("NAME", lines[0]);
        Assert.Single(lines, l => l.StartsWith("NAME"));
        Assert.Contains(lines, l => l.StartsWith("fleet") && l.Contains("False"));
    }
}
