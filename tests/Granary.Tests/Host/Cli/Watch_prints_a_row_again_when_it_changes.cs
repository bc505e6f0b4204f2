using Granary.Silo.Cli;
using Granary.Testing;

namespace Granary.Tests.Host.Cli;

public sealed class Watch_prints_a_row_again_when_it_changes : CliTestBase
{
    [Fact]
    public async Task Suspending_a_watched_repository_prints_its_row_again_and_ctrl_c_ends_with_zero()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        using var interrupt = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        string Printed()
        {
            // The synchronized writer locks on itself: reading under the same lock never sees a half-written line.
            lock (synchronized)
            {
                return output.ToString();
            }
        }

        var watching = CliApp.RunAsync(["get", "gitrepository", "-n", Ns, "--watch", "--server", Host.Address.ToString(), "--token", ReadToken], synchronized, error, _ => null, interrupt.Token);
        await Eventually.WaitUntilAsync(() => Printed().Contains("fleet"), Deadline, "the first table printed");
        Assert.Equal(0, (await RunAsync(AdminToken, "suspend", "gitrepository", "fleet", "-n", Ns)).ExitCode);
        await Eventually.WaitUntilAsync(() => Printed().Split('\n').Any(l => l.StartsWith("fleet") && l.Contains("True      ")), Deadline, "the suspended row printed");
        await interrupt.CancelAsync();

        Assert.Equal(0, await watching);
        var lines = Printed().ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.StartsWith("NAME", lines[0]);
        Assert.Single(lines, l => l.StartsWith("NAME"));
        Assert.Contains(lines, l => l.StartsWith("fleet") && l.Contains("False"));
    }
}
