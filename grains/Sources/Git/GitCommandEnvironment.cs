using System.Security.Cryptography;
using System.Text;

namespace Granary.Grains.Sources.Git;

/// <summary>
/// The environment one git operation runs in: nothing inherited but <c>PATH</c>, a private <c>HOME</c>, no system or
/// global config, no prompts, only the https/http/ssh/file transports, and credentials passed through
/// <c>GIT_CONFIG_*</c> variables or files in a private directory — never through the argument list.
/// Dispose it to delete the private directory (and with it any SSH key).
/// </summary>
public sealed class GitCommandEnvironment : IDisposable
{
    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly List<string> _secrets = [];
    private readonly List<(string Key, string Value)> _config = [];

    private GitCommandEnvironment(string directory) => Directory = directory;

    /// <summary>The private directory (mode 0700) holding <c>HOME</c> and any key files.</summary>
    public string Directory { get; }

    /// <summary>The variables to run git with, and nothing else.</summary>
    public IReadOnlyDictionary<string, string> Variables => _variables;

    /// <summary>Values that must never appear in a message: passwords, tokens, keys and the headers built from them.</summary>
    public IReadOnlyList<string> Secrets => _secrets;

    /// <summary>
    /// Creates the environment under <paramref name="scratchRoot"/> for talking to <paramref name="url"/> with
    /// <paramref name="credentials"/> (or the credentials embedded in the URL).
    /// </summary>
    public static GitCommandEnvironment Create(string scratchRoot, GitRepositoryUrl url, GitCredentials? credentials)
    {
        var directory = CreatePrivateDirectory(Path.Combine(scratchRoot, "git-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))));

        var environment = new GitCommandEnvironment(directory);
        try
        {
            environment.Configure(url, credentials ?? url.EmbeddedCredentials);
            return environment;
        }
        catch
        {
            environment.Dispose();
            throw;
        }
    }

    /// <summary>Sets an extra variable for this operation (e.g. a private <c>GIT_INDEX_FILE</c>).</summary>
    public void Set(string name, string value) => _variables[name] = value;

    /// <summary>Replaces every secret in <paramref name="text"/> with <c>***</c>, and the spec URL with its display form.</summary>
    public string Scrub(string text, GitRepositoryUrl url)
    {
        if (url.Original != url.Display)
        {
            text = text.Replace(url.Original, url.Display, StringComparison.Ordinal);
        }

        foreach (var secret in _secrets.Where(s => s.Length >= 4).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    private void Configure(GitRepositoryUrl url, GitCredentials? credentials)
    {
        var home = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "home")).FullName;
        _variables["PATH"] = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : "/usr/local/bin:/usr/bin:/bin";
        _variables["HOME"] = home;
        _variables["LANG"] = "C";
        _variables["LC_ALL"] = "C";
        _variables["GIT_TERMINAL_PROMPT"] = "0";
        _variables["GIT_CONFIG_NOSYSTEM"] = "1";
        _variables["GIT_CONFIG_GLOBAL"] = "/dev/null";
        _variables["GIT_ALLOW_PROTOCOL"] = "https:http:ssh:file";

        // No automatic gc or maintenance: they would fork detached processes that outlive the timeout.
        _config.Add(("gc.auto", "0"));
        _config.Add(("maintenance.auto", "false"));
        _config.Add(("core.hooksPath", "/dev/null"));

        if (credentials is not null)
        {
            _secrets.AddRange(credentials.Secrets);
            if (url.IsSsh)
            {
                ConfigureSsh(credentials);
            }
            else if (credentials.BearerToken is not null)
            {
                AddAuthorizationHeader("Bearer " + credentials.BearerToken);
            }
            else if (credentials.Password is not null)
            {
                var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}"));
                _secrets.Add(basic);
                AddAuthorizationHeader("Basic " + basic);
            }
        }

        if (url.IsSsh && !_variables.ContainsKey("GIT_SSH_COMMAND"))
        {
            // Without known_hosts no host key can be trusted: the connection fails instead of trusting on first use.
            _variables["GIT_SSH_COMMAND"] = SshCommand(identityFile: null, knownHostsFile: WritePrivateFile("known_hosts", ""));
        }

        _variables["GIT_CONFIG_COUNT"] = _config.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < _config.Count; i++)
        {
            _variables[$"GIT_CONFIG_KEY_{i}"] = _config[i].Key;
            _variables[$"GIT_CONFIG_VALUE_{i}"] = _config[i].Value;
        }
    }

    private void AddAuthorizationHeader(string value)
    {
        _secrets.Add(value);
        _config.Add(("http.extraHeader", "Authorization: " + value));
    }

    private void ConfigureSsh(GitCredentials credentials)
    {
        if (credentials.SshIdentity is null)
        {
            throw new GitSourceException(GitSourceFailure.InvalidSpec,
                "The secret for an ssh:// URL has no 'identity': add the private key as 'identity' and the host keys as 'known_hosts'.");
        }

        if (string.IsNullOrWhiteSpace(credentials.SshKnownHosts))
        {
            throw new GitSourceException(GitSourceFailure.InvalidSpec,
                "The secret for an ssh:// URL has no 'known_hosts': add the server's host keys (ssh-keyscan <host>) as 'known_hosts'.");
        }

        // ssh refuses a key file that does not end in a newline or that others can read.
        var identity = credentials.SshIdentity.EndsWith('\n') ? credentials.SshIdentity : credentials.SshIdentity + "\n";
        var identityFile = WritePrivateFile("identity", identity);
        var knownHostsFile = WritePrivateFile("known_hosts", credentials.SshKnownHosts.EndsWith('\n') ? credentials.SshKnownHosts : credentials.SshKnownHosts + "\n");
        _variables["GIT_SSH_COMMAND"] = SshCommand(identityFile, knownHostsFile);
    }

    /// <summary>
    /// The <c>GIT_SSH_COMMAND</c> value: only the given key, only the given known hosts, strict host key checking,
    /// no agent, no user config, never a prompt. git passes it to a shell, so paths are single-quoted.
    /// </summary>
    public static string SshCommand(string? identityFile, string knownHostsFile)
    {
        var command = new StringBuilder("ssh -F /dev/null");
        if (identityFile is not null)
        {
            command.Append(" -i ").Append(ShellQuote(identityFile)).Append(" -o IdentitiesOnly=yes");
        }

        command.Append(" -o UserKnownHostsFile=").Append(ShellQuote(knownHostsFile))
            .Append(" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentityAgent=none");
        return command.ToString();
    }

    /// <summary>Creates a directory only its owner can enter (0700), with its parents.</summary>
    internal static string CreatePrivateDirectory(string path)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (OperatingSystem.IsWindows())
        {
            return System.IO.Directory.CreateDirectory(path).FullName;
        }

        return System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private string WritePrivateFile(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(content));
        }

        return path;
    }

    /// <summary>Deletes the private directory and everything in it.</summary>
    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
