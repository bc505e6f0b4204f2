using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Granary.Testing;

namespace Granary.Tests.Deploy;

/// <summary>deploy/Dockerfile pins helm, kubectl, git and age by version and checks a checksum of each, equal to the binaries the local bootstrap installs.</summary>
public sealed partial class Dockerfile_pins_every_tool_version_and_checksum
{
    private static readonly string DockerfilePath = Path.Combine(RepositoryRoot.Path, "deploy", "Dockerfile");

    private static Dictionary<string, string> Arguments() =>
        ArgLine().Matches(File.ReadAllText(DockerfilePath)).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());

    [Theory]
    [InlineData("HELM")]
    [InlineData("KUBECTL")]
    [InlineData("GIT")]
    [InlineData("AGE")]
    public void Each_tool_has_an_exact_version_and_a_sha256_that_the_build_checks(string tool)
    {
        var arguments = Arguments();
        Assert.True(arguments.TryGetValue($"{tool}_VERSION", out var version) && ExactVersion().IsMatch(version), $"deploy/Dockerfile: ARG {tool}_VERSION must be an exact version (got '{version}')");
        Assert.True(arguments.TryGetValue($"{tool}_SHA256", out var sha) && Sha256().IsMatch(sha), $"deploy/Dockerfile: ARG {tool}_SHA256 must be 64 hex digits (got '{sha}')");
        Assert.Contains($"echo \"${{{tool}_SHA256}}  ", File.ReadAllText(DockerfilePath), StringComparison.Ordinal);
    }

    [Fact]
    public void The_layer_package_is_the_one_the_bootstrap_pins()
    {
        var arguments = Arguments();
        var bootstrap = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "deploy", "local", "bootstrap"));
        Assert.Contains($"LAYER_VERSION={arguments["LAYER_VERSION"]}\n", bootstrap, StringComparison.Ordinal);
        Assert.Contains($"LAYER_SHA512={arguments["LAYER_SHA512"]}\n", bootstrap, StringComparison.Ordinal);
        Assert.Contains("sha512sum -c", File.ReadAllText(DockerfilePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helm_and_kubectl_checksums_are_those_of_the_bootstrapped_binaries()
    {
        var arguments = Arguments();
        Assert.Equal(arguments["HELM_SHA256"], await Sha256Async(Tools.Helm));
        Assert.Equal(arguments["KUBECTL_SHA256"], await Sha256Async(Tools.Kubectl));
        var helmVersion = await DeployCommand.RunCheckedAsync(Tools.Helm, ["version", "--short"], TimeSpan.FromSeconds(30));
        Assert.StartsWith(arguments["HELM_VERSION"], helmVersion.Trim(), StringComparison.Ordinal);
        var kubectlVersion = await DeployCommand.RunCheckedAsync(Tools.Kubectl, ["version", "--client"], TimeSpan.FromSeconds(30));
        Assert.Contains($"Client Version: {arguments["KUBECTL_VERSION"]}", kubectlVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void Base_images_are_tagged_the_silo_runs_as_65532_and_the_entrypoint_is_granary_run()
    {
        var text = File.ReadAllText(DockerfilePath);
        var arguments = Arguments();
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", arguments["DOTNET_SDK_IMAGE"]);
        foreach (var image in arguments.Where(a => a.Key.EndsWith("_IMAGE", StringComparison.Ordinal)))
        {
            Assert.True(image.Value.Contains(':', StringComparison.Ordinal) && !image.Value.EndsWith(":latest", StringComparison.Ordinal), $"ARG {image.Key}={image.Value} must name a tag other than latest");
        }

        Assert.Contains("dotnet publish silo/Host -c Release", text, StringComparison.Ordinal);
        Assert.Contains("USER 65532:65532", text, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"/opt/granary/granary\", \"run\"]", text, StringComparison.Ordinal);
        Assert.Contains("GRANARY_DATA_DIR=", text, StringComparison.Ordinal);

        // The build context is the repository root: the local toolchain and PostgreSQL data stay out of it.
        var ignored = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "deploy", "Dockerfile.dockerignore"));
        Assert.Contains(".granary", ignored);
        Assert.Contains("**/obj", ignored);
    }

    private static async Task<string> Sha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }

    [GeneratedRegex(@"^ARG ([A-Z0-9_]+)=(.+)$", RegexOptions.Multiline)]
    private static partial Regex ArgLine();

    [GeneratedRegex(@"^[0-9]*:?v?\d+\.\d+\.\d+[0-9A-Za-z.+~:-]*$")]
    private static partial Regex ExactVersion();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256();
}
