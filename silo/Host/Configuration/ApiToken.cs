using System.Security.Cryptography;
using System.Text;

namespace Granary.Silo.Configuration;

/// <summary>What a token may do: <c>read</c> lists and reads; <c>admin</c> also changes resources.</summary>
public enum ApiRole
{
    /// <summary>List, get, history, audit.</summary>
    Read,

    /// <summary>Everything <see cref="Read"/> may, plus apply, delete, reconcile, suspend, resume.</summary>
    Admin,
}

/// <summary>
/// An API bearer token. Only a SHA-256 digest of the value is kept, so the value cannot leak through a log, a dump
/// of this record or an error message.
/// </summary>
public sealed class ApiToken
{
    private readonly byte[] _digest;

    /// <summary>A token named <paramref name="name"/> with <paramref name="role"/> and the secret <paramref name="value"/>.</summary>
    public ApiToken(string name, ApiRole role, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrEmpty(value);
        Name = name;
        Role = role;
        _digest = Digest(value);
    }

    /// <summary>The token's name: the actor recorded on events caused through it.</summary>
    public string Name { get; }

    /// <summary>What the token may do.</summary>
    public ApiRole Role { get; }

    /// <summary>Whether <paramref name="presented"/> is this token's value (compared in constant time).</summary>
    public bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(_digest, Digest(presented));

    /// <summary>Whether this token may act in <paramref name="required"/>.</summary>
    public bool Allows(ApiRole required) => Role >= required;

    /// <summary>Names the token, never its value.</summary>
    public override string ToString() => $"token {Name} ({Role.ToString().ToLowerInvariant()})";

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
