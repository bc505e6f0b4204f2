using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>The kubeconfig files the fixture writes hold everything a client needs: server, CA data, and a token or client certificate.</summary>
public sealed class Kubeconfigs_reach_the_cluster(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task The_token_kubeconfig_makes_a_cluster_admin()
    {
        var kubeconfig = await File.ReadAllTextAsync(kubernetes.Cluster.KubeconfigPath);
        using var http = ClientFor(kubeconfig, clientCertificate: null);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Field(kubeconfig, "token"));

        var answer = await MayDoEverythingAsync(http);

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.True(answer.Allowed);
    }

    [Fact]
    public async Task The_client_certificate_kubeconfig_makes_a_cluster_admin()
    {
        var kubeconfig = await File.ReadAllTextAsync(kubernetes.Cluster.ClientCertificateKubeconfigPath);
        using var certificate = X509Certificate2.CreateFromPem(Decode(Field(kubeconfig, "client-certificate-data")), Decode(Field(kubeconfig, "client-key-data")));
        using var http = ClientFor(kubeconfig, certificate);

        var answer = await MayDoEverythingAsync(http);

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.True(answer.Allowed);
    }

    [Fact]
    public async Task Without_credentials_the_same_server_refuses()
    {
        var kubeconfig = await File.ReadAllTextAsync(kubernetes.Cluster.KubeconfigPath);
        using var http = ClientFor(kubeconfig, clientCertificate: null);

        Assert.Equal(HttpStatusCode.Forbidden, (await MayDoEverythingAsync(http)).Status);
    }

    private static async Task<(HttpStatusCode Status, bool Allowed)> MayDoEverythingAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", new StringContent(
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"verb":"*","group":"*","resource":"*"}}}""",
            Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        // A refusal is a v1 Status, whose "status" is a string; a review's "status" is an object.
        return (response.StatusCode, body?["status"] is JsonObject status && status["allowed"]?.GetValue<bool>() == true);
    }

    private static HttpClient ClientFor(string kubeconfig, X509Certificate2? clientCertificate)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(Decode(Field(kubeconfig, "certificate-authority-data"))));
        var options = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        if (clientCertificate is not null)
        {
            options.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(new SocketsHttpHandler { SslOptions = options }) { BaseAddress = new Uri(Field(kubeconfig, "server")) };
    }

    private static string Field(string kubeconfig, string name)
    {
        var match = Regex.Match(kubeconfig, $@"^\s*{Regex.Escape(name)}: (\S+)\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, $"the kubeconfig has a {name} field");
        return match.Groups[1].Value;
    }

    private static string Decode(string base64) => Encoding.ASCII.GetString(Convert.FromBase64String(base64));
}
