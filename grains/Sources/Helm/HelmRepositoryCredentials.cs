using System.Net.Http.Headers;
using System.Text;

namespace Granary.Grains.Sources.Helm;

/// <summary>Basic-auth credentials from a HelmRepository's <c>secretRef</c> (keys <c>username</c>, <c>password</c>). Never printed.</summary>
public sealed class HelmRepositoryCredentials
{
    private readonly string _username;
    private readonly string _password;

    private HelmRepositoryCredentials(string username, string password)
    {
        _username = username;
        _password = password;
    }

    /// <summary>Reads the credentials from a Secret's data; null when it has neither key.</summary>
    public static HelmRepositoryCredentials? FromSecretData(IReadOnlyDictionary<string, string> data) =>
        data.TryGetValue("username", out var username) && data.TryGetValue("password", out var password)
            ? new HelmRepositoryCredentials(username, password)
            : null;

    /// <summary>The Authorization header value.</summary>
    public AuthenticationHeaderValue Header => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_username}:{_password}")));

    /// <summary>Never the values.</summary>
    public override string ToString() => "HelmRepositoryCredentials(redacted)";
}
