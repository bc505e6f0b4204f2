using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Contracts.Clusters;
using Granary.Contracts.Grains;
using Granary.Contracts.Resources;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Secrets;
using Granary.Runtime;
using Granary.Testing;
using Granary.Testing.Fleet;
using Granary.Testing.Kubernetes;
using Granary.Testing.Runtime;
using Granary.Tests.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;
using Npgsql;

namespace Granary.Tests.Clusters;

/// <summary>
/// A silo with Cluster and fleet directory grains. The primary local cluster is the management cluster (Secrets live in a
/// test namespace there); Clusters point at the primary or the secondary cluster, directly or through a fault proxy.
/// </summary>
public abstract class FleetTestBase(LocalKubernetes kubernetes) : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private KubernetesClient _management = null!;

    protected TestSilo Silo { get; private set; } = null!;

    protected TestNamespace Namespace { get; private set; } = null!;

    protected ISecretReader Secrets { get; private set; } = null!;

    protected LocalCluster Management => kubernetes.Cluster;

    /// <summary>Another local cluster (same etcd, its own API server and CA), for Clusters that are not the management cluster.</summary>
    protected Task<LocalCluster> SecondClusterAsync() => kubernetes.SecondClusterAsync();

    /// <summary>What the test subscriber grains were told, by subscriber key.</summary>
    protected ConcurrentDictionary<string, ConcurrentQueue<FleetChange>> FleetChanges { get; } = new();

    public async Task InitializeAsync()
    {
        Namespace = await kubernetes.Cluster.CreateNamespaceAsync("fleet");
        _management = Manifests.Client(kubernetes.Cluster);
        Secrets = new ClusterSecretReader(_management);
        Silo = await FleetSilo.StartAsync(Secrets, grains => grains.Add<ITestFleetSubscriber, RecordingFleetSubscriber>(() => new RecordingFleetSubscriber(FleetChanges)));
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        _management.Dispose();
        await Namespace.DisposeAsync();
    }

    protected IClusterGrain ClusterGrain(string name) => Silo.Grains.Get<IClusterGrain>($"{Namespace}/{name}");

    protected IClusterDirectoryGrain Directory => Silo.Grains.Get<IClusterDirectoryGrain>(Namespace.Name);

    protected Task<ClusterStatus> ApplyClusterAsync(string name, ClusterSpec spec, Dictionary<string, string>? labels = null) =>
        ClusterGrain(name).ApplyAsync(new Cluster
        {
            ApiVersion = Cluster.Version,
            Kind = "Cluster",
            Metadata = new ObjectMetadata { Name = name, Namespace = Namespace.Name, Labels = labels },
            Spec = spec,
        });

    /// <summary>A spec reaching the cluster through the kubeconfig Secret <paramref name="secret"/>.</summary>
    protected static ClusterSpec KubeConfigSpec(string secret, string? interval = null) => new()
    {
        KubeConfig = new KubeConfigReference { SecretRef = new SecretKeyReference { Name = secret } },
        Interval = interval is null ? null : GoDuration.Parse(interval),
        Timeout = GoDuration.Parse("5s"),
    };

    /// <summary>Creates (or replaces) Secret <paramref name="name"/> in the test namespace with <paramref name="data"/>.</summary>
    protected async Task WriteSecretAsync(string name, Dictionary<string, string> data)
    {
        var encoded = new JsonObject();
        foreach (var (key, value) in data)
        {
            encoded[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        }

        var path = $"/api/v1/namespaces/{Namespace}/secrets";
        if (await Management.Admin.GetAsync($"{path}/{name}") is null)
        {
            await Management.Admin.CreateAsync(path, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = name }, ["data"] = encoded });
        }
        else
        {
            await Management.Admin.PatchAsync($"{path}/{name}", new JsonObject { ["data"] = encoded });
        }
    }

    /// <summary>Writes a kubeconfig Secret (key <c>value</c>) for <paramref name="cluster"/> as admin, reaching it at <paramref name="server"/> (e.g. a fault proxy).</summary>
    protected async Task WriteKubeconfigSecretAsync(string name, LocalCluster cluster, Uri? server = null, string? token = null)
    {
        var path = cluster.WriteKubeconfig(new ClusterUser("admin", token ?? cluster.AdminToken), server);
        await WriteSecretAsync(name, new() { ["value"] = await File.ReadAllTextAsync(path) });
    }

    protected async Task<List<object>> ClusterEventsAsync(string name)
    {
        var events = new List<object>();
        await foreach (var e in Silo.Silo.EventStore.ReadStreamAsync($"cluster/{Namespace}/{name}"))
        {
            events.Add(e.Data);
        }

        return events;
    }

    /// <summary>Rows of events and snapshots whose data contains <paramref name="text"/>: credentials must never be among them.</summary>
    protected async Task<long> CountStoredRowsContainingAsync(string text)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT (SELECT count(*) FROM {Silo.Schema}.events WHERE data::text LIKE '%' || $1 || '%') + (SELECT count(*) FROM {Silo.Schema}.snapshots WHERE data::text LIKE '%' || $1 || '%')", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = text });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    protected static Condition Ready(ClusterStatus status) => status.Conditions.First(c => c.Type == "Ready");
}

/// <summary>A grain that follows a fleet selection in tests.</summary>
[GrainKind("test-fleet-subscriber")]
public interface ITestFleetSubscriber : IClusterSubscriber;

/// <summary>Records every <see cref="FleetChange"/> it is told, under its key.</summary>
public sealed class RecordingFleetSubscriber(ConcurrentDictionary<string, ConcurrentQueue<FleetChange>> changes) : Grain, ITestFleetSubscriber
{
    /// <inheritdoc />
    public Task FleetChangedAsync(FleetChange change)
    {
        changes.GetOrAdd(GrainId.Key, _ => new()).Enqueue(change);
        return Task.CompletedTask;
    }
}
