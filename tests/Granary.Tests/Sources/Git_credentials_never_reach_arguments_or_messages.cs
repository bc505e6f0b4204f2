using System.Text;
using Granary.Grains.Sources.Git;

namespace Granary.Tests.Sources;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class Git_credentials_never_reach_arguments_or_messages : GitSourceTestBase
{
    private const string Password = "s3cr3t-pa55word";
    private const string Token = "tok-7f9a1c2e5b";

    [Fact]
    public async Task Basic_auth_goes_through_git_config_environment_and_is_scrubbed_from_errors()
    {
        var (git, args, env) = RecordingGit();
        var source = NewSource(NewClient("recording", git), "recording-source");

        var error = await Assert.ThrowsAsync<GitSourceException>(() =>
            source.FetchAsync(new GitSourceRequest($"https://alice:{Password}@git.example.com/org/repo.git", new GitRef(Branch: "main")), null, CancellationToken.None));

        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{Password}"));
        var arguments = File.ReadAllText(args);
        var environment = File.ReadAllText(env);
        Assert.Contains("ls-remote\n--\nhttps://git.example.com/org/repo.git\n", arguments);
        Assert.DoesNotContain(Password, arguments);
        Assert.DoesNotContain(basic, arguments);
        Assert.DoesNotContain("alice", arguments);
        Assert.Contains($"GIT_CONFIG_VALUE_3=Authorization: Basic {basic}", environment);
        Assert.Contains("GIT_CONFIG_KEY_3=http.extraHeader", environment);

        // git echoed its environment to stderr; the message keeps the URL but loses every secret.
        Assert.Contains("https://git.example.com/org/repo.git", error.Message);
        Assert.Contains("Authorization: ***", error.Message);
        Assert.DoesNotContain(Password, error.Message);
        Assert.DoesNotContain(basic, error.Message);
        Assert.DoesNotContain("alice", error.Message);
    }

    [Fact]
    public async Task Bearer_tokens_go_through_the_environment_only()
    {
        var (git, args, env) = RecordingGit();
        var source = NewSource(NewClient("recording", git), "recording-source");

        var error = await Assert.ThrowsAsync<GitSourceException>(() =>
            source.FetchAsync(new GitSourceRequest("https://git.example.com/org/repo.git", new GitRef(Branch: "main"), Credentials: GitCredentials.Bearer(Token)), null, CancellationToken.None));

        Assert.DoesNotContain(Token, File.ReadAllText(args));
        Assert.Contains($"Authorization: Bearer {Token}", File.ReadAllText(env));
        Assert.DoesNotContain(Token, error.Message);
        Assert.DoesNotContain(Token, GitCredentials.Bearer(Token).ToString());
    }

    [Fact]
    public async Task Git_runs_with_a_scrubbed_environment()
    {
        var (git, _, env) = RecordingGit();
        var source = NewSource(NewClient("recording", git), "recording-source");

        await Assert.ThrowsAsync<GitSourceException>(() => source.FetchAsync(new GitSourceRequest("https://git.example.com/r.git"), null, CancellationToken.None));

        var variables = File.ReadAllLines(env).Where(l => l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        Assert.Equal(
            ["GIT_ALLOW_PROTOCOL", "GIT_CONFIG_COUNT", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_KEY_0", "GIT_CONFIG_KEY_1", "GIT_CONFIG_KEY_2", "GIT_CONFIG_NOSYSTEM",
             "GIT_CONFIG_VALUE_0", "GIT_CONFIG_VALUE_1", "GIT_CONFIG_VALUE_2", "GIT_TERMINAL_PROMPT"],
            variables.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal("0", variables["GIT_TERMINAL_PROMPT"]);
        Assert.Equal("1", variables["GIT_CONFIG_NOSYSTEM"]);
        Assert.Equal("/dev/null", variables["GIT_CONFIG_GLOBAL"]);
        Assert.Equal("C", variables["LANG"]);
        Assert.StartsWith(Path.Combine(Root, "recording", "scratch"), variables["HOME"]);
        // The private HOME is gone once the operation ends.
        Assert.False(Directory.Exists(variables["HOME"]));
        var unexpected = variables.Keys.Except(["PATH", "HOME", "LANG", "LC_ALL", "PWD", "SHLVL", "_", "OLDPWD"]).Where(k => !k.StartsWith("GIT_", StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0, "unexpected variables: " + string.Join(", ", unexpected));
    }

    [Fact]
    public void Ssh_keys_are_private_files_used_only_through_git_ssh_command()
    {
        var url = GitRepositoryUrl.Parse("ssh://git@github.com/org/repo.git");
        var identity = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----";
        string directory;
        using (var environment = GitCommandEnvironment.Create(Path.Combine(Root, "ssh"), url, GitCredentials.Ssh(identity, "github.com ssh-ed25519 AAAAC3")))
        {
            directory = environment.Directory;
            var identityFile = Path.Combine(directory, "identity");
            var knownHosts = Path.Combine(directory, "known_hosts");
            Assert.Equal(
                $"ssh -F /dev/null -i '{identityFile}' -o IdentitiesOnly=yes -o UserKnownHostsFile='{knownHosts}' -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentityAgent=none",
                environment.Variables["GIT_SSH_COMMAND"]);
            Assert.Equal(identity + "\n", File.ReadAllText(identityFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(identityFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
            Assert.DoesNotContain(environment.Variables.Values, v => v.Contains("BEGIN OPENSSH", StringComparison.Ordinal));
            Assert.Equal("ssh://git@github.com/org/repo.git", url.CommandLine);
            Assert.Equal("ssh://github.com/org/repo.git", url.Display);
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void Ssh_without_known_hosts_is_refused_rather_than_trusting_any_host()
    {
        var url = GitRepositoryUrl.Parse("ssh://git@github.com/org/repo.git");

        var error = Assert.Throws<GitSourceException>(() => GitCommandEnvironment.Create(Path.Combine(Root, "ssh"), url, GitCredentials.Ssh("key", "")));

        Assert.Equal(GitSourceFailure.InvalidSpec, error.Failure);
        Assert.Contains("known_hosts", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Root, "ssh")));
    }

    [Fact]
    public async Task An_unreachable_repository_is_named_without_its_credentials()
    {
        var error = await Assert.ThrowsAsync<GitSourceException>(() =>
            Source.FetchAsync(new GitSourceRequest($"https://alice:{Password}@127.0.0.1:9/org/repo.git", new GitRef(Branch: "main"), TimeSpan.FromSeconds(20)), null, CancellationToken.None));

        Assert.Equal(GitSourceFailure.GitOperationFailed, error.Failure);
        Assert.Equal("GitOperationFailed", error.Reason);
        Assert.Contains("'https://127.0.0.1:9/org/repo.git'", error.Message);
        Assert.DoesNotContain(Password, error.Message);
        Assert.DoesNotContain("alice", error.Message);

        var missing = await Assert.ThrowsAsync<GitSourceException>(() =>
            Source.FetchAsync(new GitSourceRequest("file:///nonexistent/granary/repo"), null, CancellationToken.None));
        Assert.Contains("'file:///nonexistent/granary/repo'", missing.Message);
    }

    [Theory]
    [InlineData("git@github.com:org/repo.git", "ssh://user@host/path")]
    [InlineData("ftp://example.com/repo", "https://")]
    [InlineData("ext::sh -c touch% /tmp/pwned", "https://")]
    [InlineData("-uhelp", "https://")]
    public void Unsupported_urls_are_refused_with_the_fix(string url, string hint)
    {
        var error = Assert.Throws<GitSourceException>(() => GitRepositoryUrl.Parse(url));

        Assert.Equal(GitSourceFailure.InvalidSpec, error.Failure);
        Assert.Contains("spec.url", error.Message);
        Assert.Contains(hint, error.Message);
    }

    // A stand-in git that records its arguments and environment, echoes both to stderr and fails.
    private (string Git, string Args, string Env) RecordingGit()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Root, "fake-git")).FullName;
        var git = Path.Combine(directory, "git");
        var args = Path.Combine(directory, "args.txt");
        var env = Path.Combine(directory, "env.txt");
        File.WriteAllText(git, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{args}'\nenv > '{env}'\necho \"fatal: could not talk to $*\" >&2\nenv >&2\nexit 128\n");
        File.SetUnixFileMode(git, (UnixFileMode)0b111_000_000);
        return (git, args, env);
    }
}
