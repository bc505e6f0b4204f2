namespace Granary.Tests.Host.Cli;

public sealed class Apply_reads_a_file_or_a_directory : CliTestBase
{
    [Fact]
    public async Task Every_document_of_a_file_is_applied_and_printed()
    {
        var file = WriteYaml($"{GitRepositoryYaml("fleet")}\n---\n{GitRepositoryYaml("other")}\n");

        var run = await RunAsync(AdminToken, "apply", "-f", file);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(
            $"GitRepository {Ns}/fleet applied (generation 1)\nGitRepository {Ns}/other applied (generation 1)\n",
            run.Output.ReplaceLineEndings("\n"));
        Assert.Equal("True", (await GetJsonAsync(ResourcePath("GitRepository", "other")))["status"]!["ready"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_yaml_file_under_a_directory_is_applied()
    {
        var directory = NewDirectory();
        WriteYaml($"---\n{GitRepositoryYaml("fleet")}\n", "a.yaml", directory);
        Directory.CreateDirectory(Path.Combine(directory, "nested"));
        WriteYaml($"# the second\n{GitRepositoryYaml("other")}\n", "b.yml", Path.Combine(directory, "nested"));
        WriteYaml("not: yaml for granary", "notes.txt", directory);

        var run = await RunAsync(AdminToken, "apply", "-f", directory);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"GitRepository {Ns}/fleet applied", run.Output);
        Assert.Contains($"GitRepository {Ns}/other applied", run.Output);
        await GetJsonAsync(ResourcePath("GitRepository", "fleet"));
        await GetJsonAsync(ResourcePath("GitRepository", "other"));
    }
}
