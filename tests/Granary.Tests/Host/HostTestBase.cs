using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Silo.Configuration;
using Granary.Silo.Wiring;
using Granary.Testing;
using Granary.Testing.Git;

namespace Granary.Tests.Host;

/// <summary>
/// A silo host started in-process on a free port, in a schema of its own, with an admin and a read token, and a
/// real git repository to point GitRepositories at. Without a cluster from the subclass, the management cluster is
/// an address nothing answers on (GitRepositories without secretRef never need it).
/// </summary>
public abstract class HostTestBase : IAsyncLifetime
{
    /// <summary>The admin token's value.</summary>
    protected const string AdminToken = "admin-0123456789abcdef0123456789";

    /// <summary>The read token's value.</summary>
    protected const string ReadToken = "reader-0123456789abcdef012345678";

    /// <summary>How long a test waits for something to happen.</summary>
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _scratch = Directory.CreateTempSubdirectory("granary-host-").FullName;
    private KubernetesClient? _ownedCluster;

    /// <summary>The schema of this test's silo.</summary>
    protected string Schema { get; } = TestPostgres.NewSchema("host");

    /// <summary>A namespace name unique to this test class.</summary>
    protected string Ns { get; } = $"ns-{Guid.NewGuid():N}"[..15];

    /// <summary>The git repository GitRepositories point at.</summary>
    protected TestGitRepository Repository { get; } = TestGitRepository.Create();

    /// <summary>The running host.</summary>
    protected SiloHost Host { get; private set; } = null!;

    /// <summary>A client with the admin token.</summary>
    protected HttpClient Admin { get; private set; } = null!;

    /// <summary>A client with the read token.</summary>
    protected HttpClient Reader { get; private set; } = null!;

    /// <summary>A client without a token.</summary>
    protected HttpClient Anonymous { get; private set; } = null!;

    /// <summary>The host's configuration; a subclass adds what its behaviour needs (e.g. webhook receivers).</summary>
    protected virtual HostConfiguration Configure(HostConfiguration configuration) => configuration;

    /// <summary>The management cluster; null uses an unreachable one.</summary>
    protected virtual Task<KubernetesClient?> ClusterAsync() => Task.FromResult<KubernetesClient?>(null);

    public virtual async Task InitializeAsync()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/readme.txt"] = "fleet" });
        var cluster = await ClusterAsync() ?? (_ownedCluster = new KubernetesClient(new ClusterConnection { Server = new Uri("https://127.0.0.1:9"), Source = "no cluster" }));
        var configuration = new HostConfiguration
        {
            Postgres = TestPostgres.ConnectionString,
            Schema = Schema,
            Listen = "http://127.0.0.1:0",
            SiloName = $"test-{Schema}",
            DataDirectory = _scratch,
            KubectlPath = Tools.Kubectl,
            ProjectionPollInterval = TimeSpan.FromMilliseconds(100),
            ReminderPollInterval = TimeSpan.FromMilliseconds(200),
            Tokens = [new ApiToken("admin", ApiRole.Admin, AdminToken), new ApiToken("reader", ApiRole.Read, ReadToken)],
        };
        Host = await SiloHost.StartAsync(Configure(configuration), cluster);
        Admin = Client(AdminToken);
        Reader = Client(ReadToken);
        Anonymous = Client(null);
    }

    public virtual async Task DisposeAsync()
    {
        Admin.Dispose();
        Reader.Dispose();
        Anonymous.Dispose();
        await Host.StopAsync();
        _ownedCluster?.Dispose();
        await TestPostgres.DropSchemaAsync(Schema);
        Repository.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    /// <summary>A client for the host's API with <paramref name="token"/> (none when null).</summary>
    protected HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = Host.Address, Timeout = TimeSpan.FromSeconds(90) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>POSTs YAML to the apply endpoint.</summary>
    protected static Task<HttpResponseMessage> ApplyAsync(HttpClient client, string yaml, string? source = null) =>
        client.PostAsync("/api/v1/resources" + (source is null ? string.Empty : $"?source={Uri.EscapeDataString(source)}"), new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    /// <summary>Applies with the admin token and fails the test unless it succeeded.</summary>
    protected async Task<JsonNode> ApplyOkAsync(string yaml)
    {
        using var response = await ApplyAsync(Admin, yaml);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"apply answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>GETs JSON with <paramref name="client"/> (the reader by default), failing unless it answered 200.</summary>
    protected async Task<JsonNode> GetJsonAsync(string path, HttpClient? client = null)
    {
        using var response = await (client ?? Reader).GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>A GitRepository document for the test repository.</summary>
    protected string GitRepositoryYaml(string name, string interval = "10m") => $"""
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata:
          name: {name}
          namespace: {Ns}
        spec:
          url: {Repository.Url}
          interval: {interval}
          ref:
            branch: main
        """;

    /// <summary>The path of a resource under <c>/api/v1/resources</c>.</summary>
    protected string ResourcePath(string kind, string name, string? suffix = null) => $"/api/v1/resources/{kind}/{Ns}/{name}{(suffix is null ? string.Empty : "/" + suffix)}";
}
