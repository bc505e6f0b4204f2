namespace Granary.Tests.Host.Cli;

public sealed class Forbidden_and_unauthorized_name_the_needed_role : CliTestBase
{
    [Fact]
    public async Task A_read_token_applying_is_told_it_needs_admin()
    {
        var run = await RunAsync(ReadToken, "apply", "-f", WriteYaml(GitRepositoryYaml("fleet")));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("403", run.Error);
        Assert.Contains("needs a token with role admin", run.Error);
        Assert.DoesNotContain(ReadToken, run.Error);
    }

    [Fact]
    public async Task No_token_is_told_to_set_one_and_which_role()
    {
        var run = await RunAsync(null, "get");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("401", run.Error);
        Assert.Contains("GRANARY_TOKEN", run.Error);
        Assert.Contains("role read", run.Error);
    }

    [Fact]
    public async Task A_missing_resource_is_a_404_naming_it()
    {
        var run = await RunAsync(ReadToken, "get", "gitrepository", "nowhere", "-n", Ns);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not found (404)", run.Error);
        Assert.Contains("nowhere", run.Error);
    }
}
