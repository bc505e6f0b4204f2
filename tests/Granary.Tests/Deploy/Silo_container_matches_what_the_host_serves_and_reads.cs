using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Silo.Configuration;
using Granary.Silo.Health;
using Granary.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Granary.Tests.Deploy;

/// <summary>
/// The silo container in every rendering fits the real host: probes hit /healthz and /readyz on the API port the config
/// listens on (and the host answers them), every GRANARY_* variable is a setting the host reads, the ConfigMap's
/// granary.yaml loads with ConfigurationLoader, and Kubernetes waits longer than the graceful shutdown.
/// </summary>
public sealed partial class Silo_container_matches_what_the_host_serves_and_reads
{
    /// <summary>Variables the host reads that are not settings: the config file's path, and the Pod IP the cluster endpoint defaults to.</summary>
    private static readonly string[] HostVariables = ["GRANARY_CONFIG", "GRANARY_POD_IP"];

    [Fact]
    public async Task Probes_point_at_the_API_port_and_at_the_paths_the_host_answers()
    {
        foreach (var (rendering, objects) in await RenderedManifests.AllAsync())
        {
            var container = SiloContainer(objects);
            var listenPort = new Uri(ConfigFile(objects, rendering).Listen).Port;
            var http = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "http")!;
            Assert.Equal(listenPort, (long)http["containerPort"]!);
            Assert.Equal(("http", "/healthz"), Probe(container, "livenessProbe"));
            Assert.Equal(("http", "/readyz"), Probe(container, "readinessProbe"));
            Assert.Equal(("http", "/healthz"), Probe(container, "startupProbe"));
            Assert.Equal(ConfigurationLoader.DefaultClusterPort, (long)container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "cluster")!["containerPort"]!);
        }

        // The host's own endpoints, mapped as granary run maps them, against the test PostgreSQL.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        await using var database = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
        HealthEndpoints.Map(app, database, () => true);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        foreach (var path in new[] { "/healthz", "/readyz" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Every_GRANARY_variable_is_a_setting_the_host_reads_and_token_variables_are_the_ones_the_config_names()
    {
        var known = ConfigurationLoader.Settings.Select(s => s.EnvironmentVariable).Concat(HostVariables).ToHashSet(StringComparer.Ordinal);
        foreach (var (rendering, objects) in await RenderedManifests.AllAsync())
        {
            var env = SiloContainer(objects)["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
            var tokenVariables = TokenVariables(objects);
            foreach (var variable in env.Select(e => (string)e["name"]!))
            {
                Assert.True(known.Contains(variable) || tokenVariables.Contains(variable) || variable == "TMPDIR", $"{rendering}: env {variable} is neither a GRANARY_* setting the host reads ({string.Join(", ", known.Order(StringComparer.Ordinal))}) nor a token variable granary.yaml names");
            }

            Assert.All(tokenVariables, t => Assert.Contains(t, env.Select(e => (string?)e["name"])));
            var podIp = env.Single(e => (string?)e["name"] == "GRANARY_POD_IP");
            Assert.Equal("status.podIP", (string?)podIp["valueFrom"]!["fieldRef"]!["fieldPath"]);
            Assert.StartsWith("$(GRANARY_POD_IP):", (string?)env.Single(e => (string?)e["name"] == "GRANARY_CLUSTER_ENDPOINT")["value"], StringComparison.Ordinal);
            Assert.NotNull(env.Single(e => (string?)e["name"] == "GRANARY_POSTGRES")["valueFrom"]!["secretKeyRef"]);
        }
    }

    [Fact]
    public async Task The_ConfigMap_config_loads_with_the_hosts_configuration_loader()
    {
        foreach (var (rendering, objects) in await RenderedManifests.AllAsync())
        {
            var configuration = ConfigFile(objects, rendering);
            Assert.Equal("http://0.0.0.0:9090", configuration.Listen);
            Assert.Equal("/var/lib/granary/data", configuration.DataDirectory);
            Assert.Equal(2, configuration.Tokens.Count);
            var mount = SiloContainer(objects)["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == "config")!;
            var args = SiloContainer(objects)["args"]!.AsArray().Select(a => (string)a!).ToArray();
            Assert.Equal(["--config", $"{mount["mountPath"]}/granary.yaml"], args);
        }
    }

    [Fact]
    public async Task Kubernetes_waits_longer_than_the_silos_graceful_shutdown()
    {
        foreach (var (rendering, objects) in await RenderedManifests.AllAsync())
        {
            var pod = RenderedManifests.Single(objects, "StatefulSet", "granary")["spec"]!["template"]!["spec"]!;
            var grace = (string)SiloContainer(objects)["env"]!.AsArray().Single(e => (string?)e!["name"] == "GRANARY_SHUTDOWN_GRACE")!["value"]!;
            var graceSeconds = int.Parse(Seconds().Match(grace).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var termination = (long)pod["terminationGracePeriodSeconds"]!;
            Assert.True(termination > graceSeconds && termination <= graceSeconds + 10, $"{rendering}: terminationGracePeriodSeconds {termination} must be a little more than GRANARY_SHUTDOWN_GRACE {grace}");
        }
    }

    private static JsonObject SiloContainer(IReadOnlyList<JsonObject> objects) =>
        RenderedManifests.Single(objects, "StatefulSet", "granary")["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single(c => (string?)c!["name"] == "granary")!.AsObject();

    private static (string?, string?) Probe(JsonObject container, string probe) =>
        ((string?)container[probe]!["httpGet"]!["port"], (string?)container[probe]!["httpGet"]!["path"]);

    private static HashSet<string> TokenVariables(IReadOnlyList<JsonObject> objects)
    {
        var yaml = (string)RenderedManifests.Single(objects, "ConfigMap", "granary-config")["data"]!["granary.yaml"]!;
        return TokenEnv().Matches(yaml).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Loads the rendered granary.yaml as <c>granary run --config</c> would, with placeholder secret values.</summary>
    private static HostConfiguration ConfigFile(IReadOnlyList<JsonObject> objects, string rendering)
    {
        var yaml = (string)RenderedManifests.Single(objects, "ConfigMap", "granary-config")["data"]!["granary.yaml"]!;
        var path = Path.Combine(Directory.CreateTempSubdirectory("granary-config-").FullName, "granary.yaml");
        File.WriteAllText(path, yaml);
        try
        {
            var environment = TokenVariables(objects).ToDictionary(v => v, _ => "placeholder-token-0123456789abcdef");
            environment["GRANARY_POSTGRES"] = "Host=granary-postgres;Username=granary;Database=granary";
            try
            {
                return ConfigurationLoader.Load(["--config", path], name => environment.GetValueOrDefault(name));
            }
            catch (ConfigurationException exception)
            {
                throw new Xunit.Sdk.XunitException($"{rendering}: granary.yaml does not load: {exception.Message}");
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [GeneratedRegex(@"valueFrom:\s*\{\s*env:\s*([A-Z0-9_]+)\s*\}")]
    private static partial Regex TokenEnv();

    [GeneratedRegex(@"^(\d+)s$")]
    private static partial Regex Seconds();
}
