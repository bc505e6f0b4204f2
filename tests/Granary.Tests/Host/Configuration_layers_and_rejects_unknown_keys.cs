using Granary.Silo.Configuration;

namespace Granary.Tests.Host;

public sealed class Configuration_layers_and_rejects_unknown_keys : IDisposable
{
    private const string Secret = "s3cr3t-token-value-0123456789abcdef";
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Flags_override_environment_which_overrides_the_file()
    {
        var file = Write("""
            postgres: Host=file-db
            schema: from_file
            listen: http://0.0.0.0:9000
            siloName: file-silo
            logFormat: json
            dataDirectory: /var/lib/granary
            """);
        var environment = Environment(new()
        {
            ["GRANARY_SCHEMA"] = "from_env",
            ["GRANARY_SILO_NAME"] = "env-silo",
        });

        var configuration = ConfigurationLoader.Load(["--config", file, "--silo-name", "flag-silo", "--listen=http://127.0.0.1:9100"], environment);

        Assert.Equal("Host=file-db", configuration.Postgres);
        Assert.Equal("from_env", configuration.Schema);
        Assert.Equal("flag-silo", configuration.SiloName);
        Assert.Equal("http://127.0.0.1:9100", configuration.Listen);
        Assert.Equal(LogFormat.Json, configuration.LogFormat);
        Assert.Equal("/var/lib/granary", configuration.DataDirectory);
        Assert.Null(configuration.Kubeconfig);
        Assert.Null(configuration.OtlpEndpoint);
    }

    [Fact]
    public void Without_a_file_the_environment_alone_is_enough_and_defaults_fill_the_rest()
    {
        var configuration = ConfigurationLoader.Load([], Environment(new() { ["GRANARY_POSTGRES"] = "Host=env-db", ["GRANARY_KUBECONFIG"] = "/etc/kube/config" }));

        Assert.Equal("Host=env-db", configuration.Postgres);
        Assert.Equal("granary", configuration.Schema);
        Assert.Equal("http://127.0.0.1:9090", configuration.Listen);
        Assert.Equal("/etc/kube/config", configuration.Kubeconfig);
        Assert.Equal(LogFormat.Text, configuration.LogFormat);
        Assert.Empty(configuration.Tokens);
    }

    [Fact]
    public void An_unknown_key_is_an_error_naming_the_file_the_key_and_the_keys_that_exist()
    {
        var file = Write("""
            postgres: Host=db
            shema: typo
            """);

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(["--config", file], Environment(new())));

        Assert.Contains(file, error.Message);
        Assert.Contains("shema: unknown key", error.Message);
        Assert.Contains("schema", error.Message);
        Assert.Contains("tokens", error.Message);
    }

    [Fact]
    public void An_unknown_flag_or_a_flag_without_value_is_an_error_naming_it()
    {
        var unknown = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(["--shema", "x"], Environment(new() { ["GRANARY_POSTGRES"] = "Host=db" })));
        var empty = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(["--schema"], Environment(new() { ["GRANARY_POSTGRES"] = "Host=db" })));

        Assert.StartsWith("--shema: unknown flag", unknown.Message);
        Assert.Contains("--schema", unknown.Message);
        Assert.StartsWith("--schema: needs a value", empty.Message);
    }

    [Fact]
    public void Tokens_are_read_from_the_environment_or_a_file_and_their_roles_are_checked()
    {
        File.WriteAllText(Path.Combine(_directory, "viewer-token"), "viewer-token-value-0123456789abcdef\n");
        var file = Write("""
            postgres: Host=db;Password=db-password-never-printed
            tokens:
              - name: ci
                role: admin
                valueFrom:
                  env: CI_TOKEN
              - name: viewer
                role: read
                valueFrom:
                  file: viewer-token
            """);

        var configuration = ConfigurationLoader.Load(["--config", file], Environment(new() { ["CI_TOKEN"] = Secret }));

        Assert.Equal(["ci", "viewer"], configuration.Tokens.Select(t => t.Name));
        var ci = configuration.Tokens[0];
        Assert.Equal(ApiRole.Admin, ci.Role);
        Assert.True(ci.Matches(Secret));
        Assert.False(ci.Matches(Secret + "x"));
        Assert.True(configuration.Tokens[1].Matches("viewer-token-value-0123456789abcdef"));
        Assert.Equal(ApiRole.Read, configuration.Tokens[1].Role);
        Assert.DoesNotContain(Secret, ci.ToString());
        Assert.DoesNotContain(Secret, configuration.ToString());
        Assert.DoesNotContain("db-password-never-printed", configuration.ToString());
        Assert.Contains("token ci (admin)", configuration.ToString());
    }

    [Fact]
    public void Token_errors_name_the_entry_and_field_and_never_the_value()
    {
        string Fails(string tokens, Dictionary<string, string>? environment = null) =>
            Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(["--config", Write($"postgres: Host=db\ntokens:\n{tokens}")], Environment(environment ?? new()))).Message;

        Assert.Contains("tokens[0].role: 'root' is not a role; use read or admin",
            Fails("  - {name: a, role: root, valueFrom: {env: T}}", new() { ["T"] = Secret }));
        Assert.Contains("tokens[0].valueFrom.env: environment variable MISSING_TOKEN is not set",
            Fails("  - {name: a, role: read, valueFrom: {env: MISSING_TOKEN}}"));
        Assert.Contains("tokens[0].value: unknown key; the keys here are name, role, valueFrom",
            Fails($"  - {{name: a, role: read, value: {Secret}}}"));
        Assert.Contains("tokens[1].name: token name 'a' is used twice",
            Fails("  - {name: a, role: read, valueFrom: {env: T}}\n  - {name: a, role: admin, valueFrom: {env: T}}", new() { ["T"] = Secret }));
        var tooShort = Fails("  - {name: a, role: read, valueFrom: {env: T}}", new() { ["T"] = "short" });
        Assert.Contains("tokens[0]: the value of token 'a' is shorter than 16 characters", tooShort);
        Assert.DoesNotContain("'short'", tooShort);
        Assert.DoesNotContain(Secret, Fails($"  - {{name: a, role: read, value: {Secret}}}"));
    }

    [Fact]
    public void Bad_values_name_where_they_came_from()
    {
        var format = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load([], Environment(new() { ["GRANARY_POSTGRES"] = "Host=db", ["GRANARY_LOG_FORMAT"] = "xml" })));
        var listen = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(["--listen", "9090"], Environment(new() { ["GRANARY_POSTGRES"] = "Host=db" })));
        var postgres = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load([], Environment(new())));

        Assert.Equal("GRANARY_LOG_FORMAT: 'xml' is not a log format; use text or json", format.Message);
        Assert.StartsWith("--listen: '9090' is not a listen address", listen.Message);
        Assert.Contains("set GRANARY_POSTGRES", postgres.Message);
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(_directory, $"granary-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Func<string, string?> Environment(Dictionary<string, string> variables) => name => variables.GetValueOrDefault(name);
}
