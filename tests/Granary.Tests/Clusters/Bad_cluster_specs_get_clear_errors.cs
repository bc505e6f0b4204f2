using Granary.Contracts.Resources;
using Granary.Grains.Resources;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Clusters;

public sealed class Bad_cluster_specs_get_clear_errors(LocalKubernetes kubernetes) : FleetTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_missing_Secret_is_named_with_the_fix()
    {
        var status = await ApplyClusterAsync("prod", KubeConfigSpec("nope"));

        Assert.False(status.IsReady);
        Assert.Equal("CredentialsNotFound", Ready(status).Reason);
        Assert.Contains($"Cluster {Namespace}/prod spec.kubeConfig.secretRef: Secret {Namespace}/nope does not exist", Ready(status).Message);
    }

    [Fact]
    public async Task A_Secret_without_the_kubeconfig_key_lists_the_keys_it_has()
    {
        await WriteSecretAsync("wrong-key", new() { ["kubeconfig"] = "apiVersion: v1" });

        var status = await ApplyClusterAsync("prod", KubeConfigSpec("wrong-key"));

        Assert.Equal("CredentialsNotFound", Ready(status).Reason);
        Assert.Contains("has no key 'value' or 'value.yaml' (keys: kubeconfig)", Ready(status).Message);
    }

    [Theory]
    [InlineData("clusters: [unclosed", "is not valid YAML")]
    [InlineData("apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {}\nusers:\n- name: u\n  user: {token: s3cr3t-token-value}\n", "server is missing")]
    [InlineData("apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {exec: {command: /bin/sh, args: [-c, 'echo s3cr3t-token-value']}}\n", "users[u].user.exec runs a credential plugin")]
    [InlineData("apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1', certificate-authority: /etc/ssl/ca.pem}\nusers:\n- name: u\n  user: {token: s3cr3t-token-value}\n", "clusters[c].cluster.certificate-authority refers to a file")]
    public async Task A_malformed_or_unsafe_kubeconfig_is_named_without_its_credentials(string kubeconfig, string expected)
    {
        await WriteSecretAsync("bad", new() { ["value"] = kubeconfig });

        var status = await ApplyClusterAsync("prod", KubeConfigSpec("bad"));

        Assert.Equal("InvalidKubeConfig", Ready(status).Reason);
        Assert.Contains($"Cluster {Namespace}/prod spec.kubeConfig.secretRef: kubeconfig in Secret {Namespace}/bad key 'value'", Ready(status).Message);
        Assert.Contains(expected, Ready(status).Message);
        Assert.DoesNotContain("s3cr3t-token-value", Ready(status).Message);
        Assert.Equal(0L, await CountStoredRowsContainingAsync("s3cr3t-token-value"));
    }

    [Fact]
    public async Task A_rejected_token_is_AuthenticationFailed_without_the_token()
    {
        const string token = "not-a-token-of-this-cluster-77c1";
        await WriteKubeconfigSecretAsync("stale", Management, token: token);

        var status = await ApplyClusterAsync("prod", KubeConfigSpec("stale"));

        Assert.Equal("AuthenticationFailed", Ready(status).Reason);
        Assert.Contains("rejected the credentials", Ready(status).Message);
        Assert.DoesNotContain(token, Ready(status).Message);
        Assert.Equal(0L, await CountStoredRowsContainingAsync(token));
    }

    [Theory]
    [InlineData("both", "spec.kubeConfig and spec.endpoint are both set")]
    [InlineData("neither", "spec: say how to connect")]
    [InlineData("http", "spec.endpoint: 'http://127.0.0.1:6443' is not an https URL")]
    [InlineData("no-secret", "spec.secretRef: required with spec.endpoint")]
    [InlineData("zero-concurrency", "spec.limits.concurrency: must be at least 1")]
    public async Task A_contradictory_spec_stalls_naming_the_field(string shape, string expected)
    {
        var kubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = "x" } };
        var token = new LocalObjectReference { Name = "x" };
        var spec = shape switch
        {
            "both" => new ClusterSpec { KubeConfig = kubeConfig, Endpoint = "https://127.0.0.1:6443", SecretRef = token },
            "neither" => new ClusterSpec(),
            "http" => new ClusterSpec { Endpoint = "http://127.0.0.1:6443", SecretRef = token },
            "no-secret" => new ClusterSpec { Endpoint = "https://127.0.0.1:6443" },
            _ => new ClusterSpec { KubeConfig = kubeConfig, Limits = new ClusterLimits { Concurrency = 0 } },
        };

        var status = await ApplyClusterAsync("prod", spec);

        Assert.Equal("InvalidSpec", Ready(status).Reason);
        Assert.Contains(expected, Ready(status).Message);
        Assert.Contains(status.Conditions, c => c.Type == "Stalled" && c.Status == "True");
    }

    [Fact]
    public void An_unknown_field_is_named_by_the_parser()
    {
        var result = ResourceParser.Parse("""
            apiVersion: fleet.granary.dev/v1alpha1
            kind: Cluster
            metadata:
              name: prod
              namespace: fleet
              labels: {env: prod}
            spec:
              endpoint: https://10.0.0.1:6443
              secretRef: {name: prod-token}
              labels: {env: prod}
            """, "clusters.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.labels", error.Field);
        Assert.Contains("unknown field", error.Message);
        Assert.Contains("endpoint", error.Message);
    }

    [Fact]
    public void A_valid_Cluster_document_parses()
    {
        var result = ResourceParser.Parse("""
            apiVersion: fleet.granary.dev/v1alpha1
            kind: Cluster
            metadata:
              name: prod-eu
              namespace: fleet
              labels: {env: prod, region: eu}
            spec:
              kubeConfig:
                secretRef: {name: prod-eu-kubeconfig}
              interval: 30s
              limits: {concurrency: 8, qps: 50, burst: 100}
            """, "clusters.yaml");

        var cluster = Assert.IsType<Cluster>(Assert.Single(result.Resources));
        Assert.Equal("fleet/prod-eu", cluster.Key);
        Assert.Equal(8, cluster.Spec.Limits!.Concurrency);
        Assert.Equal("prod-eu-kubeconfig", cluster.Spec.KubeConfig!.SecretRef.Name);
    }
}
