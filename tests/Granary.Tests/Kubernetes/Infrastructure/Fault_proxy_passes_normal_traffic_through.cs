using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Kubernetes.Infrastructure;

/// <summary>Without faults the proxy is invisible: methods, headers, bodies, status codes and streamed watches arrive unchanged.</summary>
public sealed class Fault_proxy_passes_normal_traffic_through(LocalKubernetes kubernetes) : FaultProxyTestBase(kubernetes)
{
    [Fact]
    public async Task Create_read_patch_and_delete_work_through_the_proxy()
    {
        await using var @namespace = await Cluster.CreateNamespaceAsync("proxied");
        using var api = new ClusterApi(AdminThroughProxy());
        var path = $"/api/v1/namespaces/{@namespace}/configmaps";

        var created = await api.CreateAsync(path, Workloads.ConfigMap("settings", "one"));
        var patched = await api.PatchAsync($"{path}/settings", new JsonObject { ["data"] = new JsonObject { ["value"] = "two" } });
        var read = await Cluster.Admin.GetAsync($"{path}/settings");
        await api.DeleteAsync($"{path}/settings");

        Assert.Equal("one", created["data"]!["value"]!.GetValue<string>());
        Assert.Equal("two", patched["data"]!["value"]!.GetValue<string>());
        Assert.Equal("two", read!["data"]!["value"]!.GetValue<string>());
        Assert.Null(await Cluster.Admin.GetAsync($"{path}/settings"));
        Assert.Contains(Proxy.Requests, r => r.Method == "PATCH" && r.PathAndQuery == $"{path}/settings" && r.Fault is null);
    }

    [Fact]
    public async Task The_callers_credentials_and_the_servers_refusal_pass_unchanged()
    {
        var user = Cluster.CreateUserWithoutRights();
        using var http = Proxy.CreateHttpClient(user.Token);

        using var response = await http.GetAsync("/api/v1/secrets");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains($"User \"{user.Name}\" cannot list resource \"secrets\"", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_watch_streams_events_as_they_happen()
    {
        await using var @namespace = await Cluster.CreateNamespaceAsync("watched");
        using var http = AdminThroughProxy();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var path = $"/api/v1/namespaces/{@namespace}/configmaps";
        var list = await Cluster.Admin.GetAsync(path);
        var resourceVersion = list!["metadata"]!["resourceVersion"]!.GetValue<string>();

        using var response = await http.GetAsync($"{path}?watch=true&resourceVersion={resourceVersion}", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        response.EnsureSuccessStatusCode();
        using var events = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token), Encoding.UTF8);
        await Cluster.Admin.CreateAsync(path, Workloads.ConfigMap("first", "1"));
        var first = JsonNode.Parse((await events.ReadLineAsync(deadline.Token))!)!;
        await Cluster.Admin.CreateAsync(path, Workloads.ConfigMap("second", "2"));
        var second = JsonNode.Parse((await events.ReadLineAsync(deadline.Token))!)!;

        Assert.Equal("ADDED", first["type"]!.GetValue<string>());
        Assert.Equal("first", first["object"]!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("second", second["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task HTTP_2_clients_are_served()
    {
        using var http = AdminThroughProxy();
        http.DefaultRequestVersion = HttpVersion.Version20;
        http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;

        using var response = await http.GetAsync("/version");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Contains("v1.20.2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_request_body_without_a_content_length_is_forwarded()
    {
        await using var @namespace = await Cluster.CreateNamespaceAsync("chunked");
        using var http = AdminThroughProxy();
        var body = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(Workloads.ConfigMap("streamed", "yes").ToJsonString())));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/{@namespace}/configmaps") { Content = body };
        request.Headers.TransferEncodingChunked = true;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.NotNull(await Cluster.Admin.GetAsync($"/api/v1/namespaces/{@namespace}/configmaps/streamed"));
    }
}
