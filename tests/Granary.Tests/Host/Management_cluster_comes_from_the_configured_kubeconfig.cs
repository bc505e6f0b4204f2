using Granary.Silo.Configuration;
using Granary.Silo.Wiring;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Host;

public sealed class Management_cluster_comes_from_the_configured_kubeconfig : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_configured_kubeconfig_and_context_name_the_server()
    {
        var path = Path.Combine(_directory, "config");
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: one
              cluster: {server: "https://one.example:6443", insecure-skip-tls-verify: true}
            - name: two
              cluster: {server: "https://two.example:6443", insecure-skip-tls-verify: true}
            users:
            - name: admin
              user: {token: kubeconfig-token-never-logged}
            contexts:
            - name: one
              context: {cluster: one, user: admin}
            - name: two
              context: {cluster: two, user: admin}
            current-context: one
            """);

        using var current = ManagementCluster.Connect(new HostConfiguration { Postgres = "Host=db", Kubeconfig = path }, NullLoggerFactory.Instance, _ => null);
        using var named = ManagementCluster.Connect(new HostConfiguration { Postgres = "Host=db", Kubeconfig = path, KubeContext = "two" }, NullLoggerFactory.Instance, _ => null);

        Assert.Equal(new Uri("https://one.example:6443"), current.Connection.Server);
        Assert.Equal(new Uri("https://two.example:6443"), named.Connection.Server);
    }

    [Fact]
    public void A_missing_kubeconfig_is_a_configuration_error_naming_the_setting()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            ManagementCluster.Connect(new HostConfiguration { Postgres = "Host=db", Kubeconfig = Path.Combine(_directory, "absent") }, NullLoggerFactory.Instance, _ => null));

        Assert.StartsWith("kubeconfig: ", error.Message);
        Assert.Contains("absent", error.Message);
    }
}
