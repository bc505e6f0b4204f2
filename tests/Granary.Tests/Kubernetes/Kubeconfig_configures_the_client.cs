using System.Text;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>Kubeconfigs work as kubectl reads them (token, client certificate, named contexts, exec plugins, insecure TLS) and bad ones fail naming the field.</summary>
public sealed class Kubeconfig_configures_the_client(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Token_and_client_certificate_kubeconfigs_reach_the_cluster()
    {
        using var byToken = Manifests.Client(kubernetes.Cluster);
        using var byCertificate = Manifests.Client(kubernetes.Cluster, kubernetes.Cluster.ClientCertificateKubeconfigPath);

        Assert.Equal("v1.20.2", (string?)(await byToken.GetServerVersionAsync())["gitVersion"]);
        Assert.NotNull(await byCertificate.TryGetAsync(new("v1", "Namespace", "", "kube-system"))); // only an authenticated admin may read it
    }

    [Fact]
    public async Task A_named_context_with_an_exec_plugin_and_insecure_TLS_is_used()
    {
        var directory = Directory.CreateTempSubdirectory("granary-kubeconfig-").FullName;
        var plugin = Path.Combine(directory, "credential-plugin");
        var credential = """{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"TOKEN"}}""";
        await File.WriteAllTextAsync(plugin, $"#!/bin/sh\necho '{credential.Replace("TOKEN", kubernetes.Cluster.AdminToken)}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var yaml = $"""
            apiVersion: v1
            kind: Config
            current-context: elsewhere
            clusters:
            - name: local
              cluster:
                server: {kubernetes.Cluster.Server.GetLeftPart(UriPartial.Authority)}
                insecure-skip-tls-verify: true
            users:
            - name: plugin
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {plugin}
            contexts:
            - name: elsewhere
              context: {"{"}cluster: nowhere, user: plugin{"}"}
            - name: local
              context: {"{"}cluster: local, user: plugin, namespace: kube-system{"}"}
            """;
        var path = Path.Combine(directory, "config");
        await File.WriteAllTextAsync(path, yaml);

        using var client = new KubernetesClient(KubeconfigLoader.Load(path, "local"));

        Assert.Equal("kube-system", client.Connection.Namespace);
        Assert.NotNull(await client.TryGetAsync(new("v1", "ConfigMap", "", "extension-apiserver-authentication")));
        var wrongContext = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Load(path));
        Assert.Contains("context 'elsewhere'", wrongContext.Message);
        Assert.Contains("no cluster named 'nowhere'", wrongContext.Message);
    }

    [Theory]
    [InlineData("    server: \"\"", "server is missing")]
    [InlineData("    server: ftp://x", "server 'ftp://x' is not an http(s) URL")]
    [InlineData("    server: https://x\n    certificate-authority-data: '***'", "certificate-authority-data is not valid base64")]
    public void A_malformed_cluster_names_the_kubeconfig_context_and_field(string cluster, string expected)
    {
        var yaml = $"""
            apiVersion: v1
            kind: Config
            current-context: ctx
            clusters:
            - name: c
              cluster:
            {cluster}
            users:
            - name: u
              user: {"{"}token: abc{"}"}
            contexts:
            - name: ctx
              context: {"{"}cluster: c, user: u{"}"}
            """;

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Parse(yaml, "kubeconfig test", "/tmp"));

        Assert.Contains("kubeconfig test, context 'ctx', cluster 'c'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_client_certificate_without_its_key_names_the_missing_field()
    {
        var yaml = $"""
            apiVersion: v1
            kind: Config
            current-context: ctx
            clusters: [{"{"}name: c, cluster: {"{"}server: "https://x"{"}"}{"}"}]
            users: [{"{"}name: u, user: {"{"}client-certificate-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(kubernetes.Cluster.CaPem))}{"}"}{"}"}]
            contexts: [{"{"}name: ctx, context: {"{"}cluster: c, user: u{"}"}{"}"}]
            """;

        var error = Assert.Throws<KubernetesConfigurationException>(() => KubeconfigLoader.Parse(yaml, "kubeconfig test", "/tmp"));

        Assert.Contains("user 'u'", error.Message);
        Assert.Contains("client-key-data (or client-key) is missing", error.Message);
    }

    [Fact]
    public async Task In_cluster_configuration_reads_the_mounted_service_account()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("incluster");
        var account = await kubernetes.Cluster.CreateServiceAccountAsync(ns.Name, "reader");
        await Manifests.BindAsync(kubernetes.Cluster, ns.Name, "view", new() { ["kind"] = "ServiceAccount", ["name"] = "reader", ["namespace"] = ns.Name });
        var mount = Directory.CreateTempSubdirectory("granary-serviceaccount-").FullName;
        await File.WriteAllTextAsync(Path.Combine(mount, "token"), account.Token);
        await File.WriteAllTextAsync(Path.Combine(mount, "ca.crt"), kubernetes.Cluster.CaPem);
        await File.WriteAllTextAsync(Path.Combine(mount, "namespace"), ns.Name);
        var environment = new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1", ["KUBERNETES_SERVICE_PORT"] = kubernetes.Cluster.Server.Port.ToString() };

        using var client = new KubernetesClient(InClusterConfiguration.Load(mount, environment.GetValueOrDefault));

        Assert.Equal(ns.Name, client.Connection.Namespace);
        await Manifests.UntilAllowedAsync(() => client.ListAsync("v1", "ConfigMap", ns.Name), "the ServiceAccount to be allowed to list ConfigMaps");
        var missing = Assert.Throws<KubernetesConfigurationException>(() => InClusterConfiguration.Load(mount, _ => null));
        Assert.Contains("KUBERNETES_SERVICE_HOST", missing.Message);
    }
}
