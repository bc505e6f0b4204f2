using System.Net;

namespace Granary.Tests.Host.Cli;

public sealed class Suspend_resume_reconcile_and_delete_change_the_resource : CliTestBase
{
    [Fact]
    public async Task Each_verb_prints_what_it_did_and_the_history_records_it()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));

        var suspend = await RunAsync(AdminToken, "suspend", "gitrepositories", "fleet", "-n", Ns);
        var resume = await RunAsync(AdminToken, "resume", "gitrepository", "fleet", "-n", Ns);
        var reconcile = await RunAsync(AdminToken, "reconcile", "gitrepository", "fleet", "-n", Ns, "--with-source");
        var delete = await RunAsync(AdminToken, "delete", "gitrepository", "fleet", "-n", Ns);

        Assert.True(suspend.ExitCode == 0, suspend.ToString());
        Assert.StartsWith($"GitRepository {Ns}/fleet suspended", suspend.Output);
        Assert.StartsWith($"GitRepository {Ns}/fleet resumed", resume.Output);
        Assert.StartsWith($"GitRepository {Ns}/fleet reconcile requested (ready True", reconcile.Output);
        Assert.StartsWith($"GitRepository {Ns}/fleet deleted", delete.Output);
        using (var gone = await Reader.GetAsync(ResourcePath("GitRepository", "fleet")))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        var history = await RunAsync(ReadToken, "history", "gitrepository", "fleet", "-n", Ns);
        foreach (var type in new[] { "resource.suspended", "resource.resumed", "resource.reconcile-requested", "resource.deleted" })
        {
            Assert.Contains(history.Output.Split('\n'), l => l.Contains(type) && l.Contains("admin"));
        }

        var again = await RunAsync(AdminToken, "delete", "gitrepository", "fleet", "-n", Ns);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("not found (404)", again.Error);
    }
}
