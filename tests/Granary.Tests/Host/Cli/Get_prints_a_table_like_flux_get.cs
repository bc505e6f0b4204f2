using Granary.Testing;

namespace Granary.Tests.Host.Cli;

public sealed class Get_prints_a_table_like_flux_get : CliTestBase
{
    [Fact]
    public async Task GitRepositories_and_Kustomizations_are_listed_with_name_revision_suspended_ready_and_message()
    {
        var file = WriteYaml($"""
            {GitRepositoryYaml("fleet")}
            ---
            {GitRepositoryYaml("infra-repo")}
            ---
            {KustomizationYaml("apps", "interval: 10m", "suspend: true")}
            ---
            {KustomizationYaml("infrastructure", "interval: 10m", "suspend: true")}
            """);
        var apply = await RunAsync(AdminToken, "apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());

        // The list is a read model fed from the event feed: wait until both repositories show their artifact.
        CliRun all = null!;
        await Eventually.WaitUntilAsync(async () =>
        {
            all = await RunAsync(ReadToken, "get", "-n", Ns);
            return all.Output.Split('\n').Count(l => l.StartsWith("GitRepository") && l.Contains("True")) == 2 && all.Output.Contains("infrastructure");
        }, Deadline, "the GitRepositories listed as ready");

        Assert.Equal(0, all.ExitCode);
        Assert.Equal(
            $"""
            KIND            NAME             REVISION                                             SUSPENDED   READY     MESSAGE
            GitRepository   fleet            main@sha1:{Commit}   False       True      stored artifact for revision 'main@sha1:{Commit}'
            GitRepository   infra-repo       main@sha1:{Commit}   False       True      stored artifact for revision 'main@sha1:{Commit}'
            Kustomization   apps                                                                  True        Unknown   reconciliation in progress
            Kustomization   infrastructure                                                        True        Unknown   reconciliation in progress

            """.ReplaceLineEndings("\n"),
            Normalise(all.Output));

        var repositories = await RunAsync(ReadToken, "get", "gitrepositories", "-n", Ns);
        Assert.Equal(
            $"""
            NAME         REVISION                                             SUSPENDED   READY   MESSAGE
            fleet        main@sha1:{Commit}   False       True    stored artifact for revision 'main@sha1:{Commit}'
            infra-repo   main@sha1:{Commit}   False       True    stored artifact for revision 'main@sha1:{Commit}'

            """.ReplaceLineEndings("\n"),
            Normalise(repositories.Output));

        var one = await RunAsync(ReadToken, "get", "kustomization", "apps", "-n", Ns);
        Assert.Equal(
            """
            NAME   REVISION   SUSPENDED   READY     MESSAGE
            apps              True        Unknown   reconciliation in progress

            """.ReplaceLineEndings("\n"),
            Normalise(one.Output));
    }

    [Fact]
    public async Task Every_namespace_adds_a_namespace_column()
    {
        await ApplyOkAsync(GitRepositoryYaml("fleet"));

        CliRun all = null!;
        await Eventually.WaitUntilAsync(async () => (all = await RunAsync(ReadToken, "get", "gitrepository", "-A")).Output.Contains(Ns), Deadline, "the repository listed");

        Assert.StartsWith("NAMESPACE", all.Output);
        Assert.Contains("<ns>   fleet", Normalise(all.Output));
    }
}
