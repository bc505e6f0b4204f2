using System.Security.Cryptography;
using System.Text;

namespace Granary.Grains.Sources.Git;

/// <summary>
/// A GitRepository <c>spec.url</c>, checked and split so credentials never reach a command line or a message:
/// <see cref="Display"/> has no user info, <see cref="CommandLine"/> keeps only an SSH user name, and credentials
/// written into an HTTPS URL become <see cref="EmbeddedCredentials"/>.
/// </summary>
public sealed class GitRepositoryUrl
{
    private GitRepositoryUrl(string original, string scheme, string display, string commandLine, GitCredentials? embedded)
    {
        Original = original;
        Scheme = scheme;
        Display = display;
        CommandLine = commandLine;
        EmbeddedCredentials = embedded;
    }

    /// <summary>The URL as written in the spec (may hold credentials: never log it).</summary>
    public string Original { get; }

    /// <summary>The scheme: <c>https</c>, <c>http</c>, <c>ssh</c> or <c>file</c>.</summary>
    public string Scheme { get; }

    /// <summary>The URL without any user info, for messages, logs and events.</summary>
    public string Display { get; }

    /// <summary>The URL given to git: no password or token; an SSH URL keeps its user name.</summary>
    public string CommandLine { get; }

    /// <summary>HTTPS basic credentials written into the URL itself, moved out of it.</summary>
    public GitCredentials? EmbeddedCredentials { get; }

    /// <summary>True for an SSH URL.</summary>
    public bool IsSsh => Scheme == "ssh";

    /// <summary>A stable key for per-repository caches: a hash of <see cref="Display"/>.</summary>
    public string CacheKey => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Display)))[..32];

    /// <summary>Parses a URL; throws <see cref="GitSourceException"/> (<c>InvalidSpec</c>) naming the fix.</summary>
    public static GitRepositoryUrl Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "ssh" or "file"))
        {
            var hint = url.Contains('@') && url.Contains(':') && !url.Contains("://", StringComparison.Ordinal)
                ? "the scp-like form is not supported; write ssh://user@host/path"
                : "use an https://, http://, ssh:// or file:// URL";
            throw new GitSourceException(GitSourceFailure.InvalidSpec, $"spec.url '{Redact(url)}' is not a supported Git URL: {hint}.");
        }

        if (uri.Scheme != "file" && uri.Host.Length == 0)
        {
            throw new GitSourceException(GitSourceFailure.InvalidSpec, $"spec.url '{Redact(url)}' has no host.");
        }

        var withoutUserInfo = uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);
        GitCredentials? embedded = null;
        var commandLine = withoutUserInfo;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            var password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (uri.Scheme == "ssh")
            {
                // An SSH user name (git@) is an address, not a secret; a password in an SSH URL is never used.
                commandLine = uri.GetComponents(UriComponents.Scheme, UriFormat.UriEscaped) + "://" + Uri.EscapeDataString(user) + "@"
                    + uri.GetComponents(UriComponents.HostAndPort | UriComponents.PathAndQuery, UriFormat.UriEscaped);
            }
            else if (password is not null)
            {
                embedded = GitCredentials.Basic(user, password);
            }
        }

        return new GitRepositoryUrl(url, uri.Scheme, withoutUserInfo, commandLine, embedded);
    }

    /// <summary>The URL with anything between <c>://</c> and <c>@</c> removed, for messages about URLs that do not parse.</summary>
    public static string Redact(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.LastIndexOf('@');
        return start >= 0 && at > start ? url[..(start + 3)] + url[(at + 1)..] : url;
    }

    /// <summary>The display form; never the original.</summary>
    public override string ToString() => Display;
}
