using Granary.Testing;

namespace Granary.Tests.Deploy;

/// <summary>What the Dockerfile's build stage produces (<c>dotnet publish silo/Host -c Release</c>) starts and answers <c>granary --help</c>.</summary>
public sealed class Published_silo_answers_help : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("granary-publish-").FullName;

    [Fact]
    public async Task Dotnet_publish_output_runs_granary_help_and_exits_0()
    {
        await DeployCommand.RunCheckedAsync("dotnet", ["publish", "silo/Host", "-c", "Release", "-o", output, "--nologo"], TimeSpan.FromMinutes(8));

        var help = await DeployCommand.RunAsync("dotnet", [Path.Combine(output, "granary.dll"), "--help"], TimeSpan.FromMinutes(1));

        Assert.True(help.ExitCode == 0, $"granary --help exited {help.ExitCode}: {help.Error}");
        Assert.Contains("run", help.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "granary")), "the publish output has the granary apphost the image's ENTRYPOINT runs");
    }

    public void Dispose() => Directory.Delete(output, recursive: true);
}
