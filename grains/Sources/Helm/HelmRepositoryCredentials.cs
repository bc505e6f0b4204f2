using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

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

    /// <summary>
    /// Reads the credentials for <paramref name="registry"/> (<c>host[:port]</c>) from a docker-registry Secret's
    /// <c>.dockerconfigjson</c> (<c>auths</c> entries with <c>username</c>/<c>password</c> or <c>auth</c>); null when the Secret
    /// has no such key or no entry for the registry.
    /// </summary>
    /// <exception cref="FormatException">The config is not valid JSON, or an <c>auth</c> is not base64 of <c>user:password</c>.</exception>
    public static HelmRepositoryCredentials? FromDockerConfig(IReadOnlyDictionary<string, string> data, string registry)
    {
        if (!data.TryGetValue(".dockerconfigjson", out var json))
        {
            return null;
        }

        JsonObject? auths;
        try
        {
            auths = JsonNode.Parse(json)?["auths"] as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            throw new FormatException(".dockerconfigjson is not valid JSON; recreate the Secret with kubectl create secret docker-registry");
        }

        var entry = auths?.FirstOrDefault(a => RegistryOf(a.Key) == registry).Value as JsonObject;
        if (entry is null)
        {
            return null;
        }

        if (entry["username"]?.GetValue<string>() is { } username && entry["password"]?.GetValue<string>() is { } password)
        {
            return new HelmRepositoryCredentials(username, password);
        }

        if (entry["auth"]?.GetValue<string>() is { } auth)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            }
            catch (FormatException)
            {
                throw new FormatException($".dockerconfigjson: the auth of {registry} is not base64; recreate the Secret with kubectl create secret docker-registry");
            }

            var colon = decoded.IndexOf(':');
            return colon > 0
                ? new HelmRepositoryCredentials(decoded[..colon], decoded[(colon + 1)..])
                : throw new FormatException($".dockerconfigjson: the auth of {registry} is not user:password; recreate the Secret with kubectl create secret docker-registry");
        }

        return null;
    }

    /// <summary>"https://registry:5000/v1/" → "registry:5000".</summary>
    private static string RegistryOf(string key)
    {
        var text = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
        var slash = text.IndexOf('/');
        return slash < 0 ? text : text[..slash];
    }

    /// <summary>The Authorization header value.</summary>
    public AuthenticationHeaderValue Header => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_username}:{_password}")));

    /// <summary>Never the values.</summary>
    public override string ToString() => "HelmRepositoryCredentials(redacted)";
}
