using System.Net;

namespace Granary.Tests.Host.Cli;

public sealed class Apply_of_an_invalid_file_names_the_field_and_applies_nothing : CliTestBase
{
    [Fact]
    public async Task The_error_names_file_kind_name_and_field_and_the_exit_code_is_not_zero()
    {
        var directory = NewDirectory();
        WriteYaml(GitRepositoryYaml("fleet"), "a-source.yaml", directory);
        var broken = WriteYaml($"""
            {GitRepositoryYaml("other")}
            ---
            {KustomizationYaml("apps", "interval: 10m", "intervall: 10m")}
            """, "b-apps.yaml", directory);

        var run = await RunAsync(AdminToken, "apply", "-f", directory);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Output);
        Assert.Contains("nothing was applied", run.Error);
        var line = run.Error.Split('\n').Single(l => l.Contains("intervall"));
        Assert.Contains($"{broken} (document 2)", line);
        Assert.Contains($"Kustomization {Ns}/apps", line);
        Assert.Contains("spec.intervall", line);
        foreach (var name in new[] { "fleet", "other" })
        {
            using var response = await Reader.GetAsync(ResourcePath("GitRepository", name));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }
}
