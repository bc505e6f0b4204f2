using Granary.Silo.Configuration;
using Granary.Silo.Webhooks;

namespace Granary.Tests.Host.Webhooks;

public sealed class Receivers_are_configured_with_a_secret_and_reject_unknown_keys : IDisposable
{
    private const string Secret = "receiver-secret-0123456789abcdef";
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-receivers-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Receivers_are_read_with_secrets_from_the_environment_or_a_file_and_never_printed()
    {
        File.WriteAllText(Path.Combine(_directory, "gitlab-secret"), "gitlab-secret-from-a-file-0123456789\n");
        var file = Write("""
            postgres: Host=db
            receivers:
              - name: github-fleet
                type: github
                secretFrom:
                  env: GITHUB_WEBHOOK_SECRET
                resources:
                  - {kind: GitRepository, namespace: flux-system, name: fleet}
                  - {kind: HelmRepository, namespace: flux-system, name: charts}
              - name: gitlab
                type: gitlab
                secretFrom: {file: gitlab-secret}
                resources: [{kind: GitRepository, namespace: apps, name: apps}]
              - name: ci
                type: generic
                secretFrom: {env: GITHUB_WEBHOOK_SECRET}
                resources: [{kind: GitRepository, namespace: apps, name: apps}]
            """);

        var configuration = ConfigurationLoader.Load(["--config", file], Environment(new() { ["GITHUB_WEBHOOK_SECRET"] = Secret }));

        Assert.Equal(["github-fleet", "gitlab", "ci"], configuration.Receivers.Select(r => r.Name));
        Assert.Equal([ReceiverType.GitHub, ReceiverType.GitLab, ReceiverType.Generic], configuration.Receivers.Select(r => r.Type));
        var github = configuration.Receivers[0];
        Assert.Equal([new ReceiverResource("GitRepository", "flux-system", "fleet"), new ReceiverResource("HelmRepository", "flux-system", "charts")], github.Resources);
        Assert.True(github.Secret.Matches(Secret));
        Assert.False(github.Secret.Matches(Secret + "x"));
        Assert.True(configuration.Receivers[1].Secret.Matches("gitlab-secret-from-a-file-0123456789"));
        Assert.Equal("webhook:github-fleet", github.Actor);
        Assert.DoesNotContain(Secret, configuration.ToString());
        Assert.DoesNotContain("gitlab-secret-from-a-file", configuration.ToString());
        Assert.Contains("receiver github-fleet (github → GitRepository flux-system/fleet, HelmRepository flux-system/charts)", configuration.ToString());
    }

    [Fact]
    public void Receiver_errors_name_the_entry_and_field_and_never_the_secret()
    {
        const string Valid = "resources: [{kind: GitRepository, namespace: apps, name: apps}]";
        string Fails(string receivers, Dictionary<string, string>? environment = null) =>
            Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(["--config", Write($"postgres: Host=db\nreceivers:\n{receivers}")], Environment(environment ?? new() { ["S"] = Secret }))).Message;

        Assert.Contains("receivers[0].secret: unknown key; the keys here are name, type, secretFrom, resources",
            Fails($"  - {{name: a, type: github, secret: {Secret}, {Valid}}}"));
        Assert.DoesNotContain(Secret, Fails($"  - {{name: a, type: github, secret: {Secret}, {Valid}}}"));
        Assert.Contains("receivers[0].secretFrom: required; give secretFrom.env (an environment variable) or secretFrom.file",
            Fails($"  - {{name: a, type: github, {Valid}}}"));
        Assert.Contains("receivers[0].secretFrom.env: environment variable MISSING_SECRET is not set or empty",
            Fails($"  - {{name: a, type: github, secretFrom: {{env: MISSING_SECRET}}, {Valid}}}"));
        Assert.Contains("receivers[0].secretFrom.value: unknown key; the keys here are env, file",
            Fails($"  - {{name: a, type: github, secretFrom: {{value: {Secret}}}, {Valid}}}"));
        Assert.Contains("receivers[0]: the value of receiver 'a' is shorter than 16 characters",
            Fails($"  - {{name: a, type: github, secretFrom: {{env: S}}, {Valid}}}", new() { ["S"] = "short" }));
        Assert.Contains("receivers[0].type: 'bitbucket' is not a receiver type; use github, gitlab or generic",
            Fails($"  - {{name: a, type: bitbucket, secretFrom: {{env: S}}, {Valid}}}"));
        Assert.Contains("receivers[0].resources[0].kind: 'Kustomization' cannot be reconciled by a receiver; use GitRepository or HelmRepository",
            Fails("  - {name: a, type: github, secretFrom: {env: S}, resources: [{kind: Kustomization, namespace: apps, name: apps}]}"));
        Assert.Contains("receivers[0].resources[0].apiVersion: unknown key; the keys here are kind, namespace, name",
            Fails("  - {name: a, type: github, secretFrom: {env: S}, resources: [{apiVersion: v1, kind: GitRepository, namespace: apps, name: apps}]}"));
        Assert.Contains("receivers[0].resources: required",
            Fails("  - {name: a, type: github, secretFrom: {env: S}, resources: []}"));
        Assert.Contains("receivers[0].name: 'Fleet/Main' is not a receiver name",
            Fails($"  - {{name: Fleet/Main, type: github, secretFrom: {{env: S}}, {Valid}}}"));
        Assert.Contains("receivers[1].name: receiver name 'a' is used twice",
            Fails($"  - {{name: a, type: github, secretFrom: {{env: S}}, {Valid}}}\n  - {{name: a, type: gitlab, secretFrom: {{env: S}}, {Valid}}}"));
    }

    [Fact]
    public void Receivers_is_a_known_top_level_key()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(["--config", Write("postgres: Host=db\nrecievers: []")], Environment(new())));

        Assert.Contains("recievers: unknown key", error.Message);
        Assert.Contains("receivers", error.Message);
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(_directory, $"granary-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Func<string, string?> Environment(Dictionary<string, string> variables) => name => variables.GetValueOrDefault(name);
}
