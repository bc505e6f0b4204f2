namespace Granary.Tests.Host.Cli;

public sealed class History_shows_spec_changes_with_the_actor : CliTestBase
{
    [Fact]
    public async Task Each_spec_change_is_a_line_with_time_type_actor_and_summary()
    {
        Assert.Equal(0, (await RunAsync(AdminToken, "apply", "-f", WriteYaml(GitRepositoryYaml("fleet", "1m")))).ExitCode);
        Assert.Equal(0, (await RunAsync(AdminToken, "apply", "-f", WriteYaml(GitRepositoryYaml("fleet", "2m")))).ExitCode);
        Assert.Equal(0, (await RunAsync(AdminToken, "suspend", "gitrepository", "fleet", "-n", Ns, "--reason", "freeze")).ExitCode);

        var run = await RunAsync(ReadToken, "history", "gitrepository", "fleet", "-n", Ns);

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Matches("^TIME +TYPE +ACTOR +SUMMARY$", lines[0]);
        var specs = lines.Where(l => l.Contains("gitrepository.spec-applied")).ToList();
        Assert.Equal(2, specs.Count);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +gitrepository\.spec-applied +admin +spec applied \(generation 1\): .*interval 1m0s", specs[0]);
        Assert.Matches(@"admin +spec applied \(generation 2\): .*interval 2m0s", specs[1]);
        Assert.Matches(@"resource\.suspended +admin +suspended: freeze$", lines[^1]);
        Assert.Contains(lines, l => l.Contains("gitrepository.artifact-fetched"));
    }
}
