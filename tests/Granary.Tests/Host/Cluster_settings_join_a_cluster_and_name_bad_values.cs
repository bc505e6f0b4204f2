using System.Net;
using Granary.Silo.Configuration;

namespace Granary.Tests.Host;

public sealed class Cluster_settings_join_a_cluster_and_name_bad_values : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-cluster-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Without_cluster_enabled_the_silo_runs_alone()
    {
        var configuration = ConfigurationLoader.Load([], Environment(new() { ["GRANARY_POSTGRES"] = "Host=db" }));

        Assert.Null(configuration.Cluster);
        Assert.Equal(TimeSpan.FromSeconds(25), configuration.ShutdownGrace);
    }

    [Fact]
    public void A_cluster_section_in_the_file_sets_every_key_and_flags_override_it()
    {
        var file = Write("""
            postgres: Host=db
            shutdownGrace: 40s
            cluster:
              enabled: true
              endpoint: granary-0.granary:12000
              listen: 0.0.0.0:12000
              heartbeat: 500ms
              leaseTimeout: 4s
            """);

        var configuration = ConfigurationLoader.Load(["--config", file, "--cluster-lease-timeout", "6s"], Environment(new()));

        var cluster = Assert.IsType<ClusterConfiguration>(configuration.Cluster);
        Assert.Equal("granary-0.granary:12000", cluster.Endpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 12000), cluster.Listen);
        Assert.Equal(TimeSpan.FromMilliseconds(500), cluster.Heartbeat);
        Assert.Equal(TimeSpan.FromSeconds(6), cluster.LeaseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(40), configuration.ShutdownGrace);
    }

    [Fact]
    public void The_endpoint_defaults_to_the_pod_ip_and_the_listen_port()
    {
        var inPod = ConfigurationLoader.Load(["--cluster-enabled", "true", "--cluster-listen", "12345"], Environment(new() { ["GRANARY_POSTGRES"] = "Host=db", ["GRANARY_POD_IP"] = "10.0.3.7" }));
        var onLaptop = ConfigurationLoader.Load([], Environment(new() { ["GRANARY_POSTGRES"] = "Host=db", ["GRANARY_CLUSTER_ENABLED"] = "true" }));
        var dottedKey = ConfigurationLoader.Load(["--config", Write("postgres: Host=db\ncluster.enabled: true\ncluster.endpoint: 127.0.0.1:23456\n")], Environment(new()));

        Assert.Equal("10.0.3.7:12345", inPod.Cluster!.Endpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.3.7"), 12345), inPod.Cluster.Listen);
        Assert.Equal($"127.0.0.1:{ConfigurationLoader.DefaultClusterPort}", onLaptop.Cluster!.Endpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, ConfigurationLoader.DefaultClusterPort), onLaptop.Cluster.Listen);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8)), (onLaptop.Cluster.Heartbeat, onLaptop.Cluster.LeaseTimeout));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 23456), dottedKey.Cluster!.Listen);
    }

    [Theory]
    [InlineData("--cluster-enabled", "yes", "--cluster-enabled: 'yes' is not a boolean; use true or false")]
    [InlineData("--cluster-endpoint", "10.0.0.1", "--cluster-endpoint: '10.0.0.1' is not an endpoint; use <host>:<port>")]
    [InlineData("--cluster-endpoint", "10.0.0.1:99999", "--cluster-endpoint: '10.0.0.1:99999' is not an endpoint")]
    [InlineData("--cluster-listen", "localhost:11111", "--cluster-listen: 'localhost:11111' is not a silo-to-silo listen address; use a port")]
    [InlineData("--cluster-heartbeat", "fast", "--cluster-heartbeat: 'fast' is not a positive duration")]
    [InlineData("--cluster-lease-timeout", "2s", "--cluster-lease-timeout: 2s is not more than twice cluster.heartbeat (1s)")]
    [InlineData("--shutdown-grace", "0s", "--shutdown-grace: '0s' is not a positive duration")]
    public void A_bad_value_is_an_error_naming_where_it_came_from_and_the_fix(string flag, string value, string message)
    {
        var arguments = flag == "--cluster-enabled" || flag == "--shutdown-grace" ? new[] { flag, value } : ["--cluster-enabled", "true", flag, value];

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(arguments, Environment(new() { ["GRANARY_POSTGRES"] = "Host=db" })));

        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Unknown_cluster_keys_and_cluster_keys_without_enabled_are_errors()
    {
        var unknown = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(["--config", Write("postgres: Host=db\ncluster:\n  enabled: true\n  port: 1\n")], Environment(new())));
        var withoutEnabled = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load([], Environment(new() { ["GRANARY_POSTGRES"] = "Host=db", ["GRANARY_CLUSTER_LISTEN"] = "12000" })));
        var badPodIp = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(["--cluster-enabled", "true"], Environment(new() { ["GRANARY_POSTGRES"] = "Host=db", ["GRANARY_POD_IP"] = "pod" })));

        Assert.Contains("cluster.port: unknown key (line 4); the keys are", unknown.Message);
        Assert.Contains("cluster.leaseTimeout", unknown.Message);
        Assert.StartsWith("GRANARY_CLUSTER_LISTEN: set, but cluster.enabled is not true; set cluster.enabled: true", withoutEnabled.Message);
        Assert.StartsWith("GRANARY_POD_IP: 'pod' is not an IP address", badPodIp.Message);
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(_directory, $"granary-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Func<string, string?> Environment(Dictionary<string, string> variables) => name => variables.GetValueOrDefault(name);
}
