using Granary.Grains.Build.Sops;

namespace Granary.Tests.Sops;

/// <summary>A Secret with <c>data</c> and <c>stringData</c>, and the distinctive plaintexts that must never leak.</summary>
internal static class SampleSecret
{
    /// <summary>base64("s3cr3t-password-5b2d").</summary>
    public const string Password = "czNjcjN0LXBhc3N3b3JkLTViMmQ=";

    /// <summary>A stringData plaintext.</summary>
    public const string Username = "admin-7f3a41";

    /// <summary>A stringData plaintext with a password inside.</summary>
    public const string Dsn = "postgres://admin-7f3a41:hunter2-9c1e77@db:5432/app";

    /// <summary>Every plaintext of <see cref="Yaml"/>, including the decoded password.</summary>
    public static readonly string[] Plaintexts = [Password, "s3cr3t-password-5b2d", Username, Dsn, "hunter2-9c1e77"];

    /// <summary>The manifest before encryption.</summary>
    public const string Yaml = $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: db-credentials
          namespace: apps
          labels:
            app: db
        type: Opaque
        data:
          password: {Password}
        stringData:
          username: {Username}
          dsn: "{Dsn}"
        """;

    /// <summary>Parses the identities of an age-keygen key file.</summary>
    public static IReadOnlyList<AgeIdentity> Identities(params string[] keyFiles) =>
        keyFiles.SelectMany((text, i) => AgeIdentity.ParseFile($"test.agekey #{i}", text)).ToList();
}
