namespace Granary.Grains.Sources.Git;

/// <summary>
/// Credentials from a GitRepository's <c>spec.secretRef</c>: HTTPS basic auth (<c>username</c>/<c>password</c>), a bearer
/// token (<c>bearerToken</c>), or an SSH identity with <c>known_hosts</c>. <see cref="ToString"/> never shows a secret.
/// </summary>
public sealed class GitCredentials
{
    private GitCredentials(string? username, string? password, string? bearerToken, string? sshIdentity, string? sshKnownHosts)
    {
        Username = username;
        Password = password;
        BearerToken = bearerToken;
        SshIdentity = sshIdentity;
        SshKnownHosts = sshKnownHosts;
    }

    /// <summary>The HTTPS basic-auth user name.</summary>
    public string? Username { get; }

    /// <summary>The HTTPS basic-auth password (or a token used as one).</summary>
    public string? Password { get; }

    /// <summary>A token sent as <c>Authorization: Bearer</c>.</summary>
    public string? BearerToken { get; }

    /// <summary>The SSH private key (PEM/OpenSSH text, unencrypted).</summary>
    public string? SshIdentity { get; }

    /// <summary>The <c>known_hosts</c> lines the SSH server's key must match.</summary>
    public string? SshKnownHosts { get; }

    /// <summary>HTTPS basic authentication.</summary>
    public static GitCredentials Basic(string username, string password) => new(username, password, null, null, null);

    /// <summary>HTTPS bearer-token authentication.</summary>
    public static GitCredentials Bearer(string token) => new(null, null, token, null, null);

    /// <summary>SSH authentication with a private key, checked against <paramref name="knownHosts"/>.</summary>
    public static GitCredentials Ssh(string identity, string knownHosts) => new(null, null, null, identity, knownHosts);

    /// <summary>
    /// Reads a Flux Git secret's data (<c>username</c>, <c>password</c>, <c>bearerToken</c>, <c>identity</c>,
    /// <c>known_hosts</c>); null when it holds none of them.
    /// </summary>
    public static GitCredentials? FromSecretData(IReadOnlyDictionary<string, string> data)
    {
        string? Get(string key) => data.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
        var credentials = new GitCredentials(Get("username"), Get("password"), Get("bearerToken"), Get("identity"), Get("known_hosts"));
        return credentials.Secrets.Any() || credentials.Username is not null || credentials.SshKnownHosts is not null ? credentials : null;
    }

    /// <summary>Every secret value, so messages can be scrubbed of them.</summary>
    internal IEnumerable<string> Secrets => new[] { Password, BearerToken, SshIdentity }.OfType<string>();

    /// <summary>Names the kinds of credential present, never their values.</summary>
    public override string ToString()
    {
        var kinds = new List<string>();
        if (Username is not null || Password is not null)
        {
            kinds.Add("basic");
        }

        if (BearerToken is not null)
        {
            kinds.Add("bearer");
        }

        if (SshIdentity is not null)
        {
            kinds.Add("ssh");
        }

        return $"GitCredentials({string.Join(", ", kinds)})";
    }
}
