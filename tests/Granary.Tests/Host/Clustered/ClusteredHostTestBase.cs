using System.Text.Json.Nodes;
using Granary.Testing;
using Granary.Testing.Git;
using Granary.Testing.Host;
using Granary.Testing.Kubernetes;
using Granary.Tests.Kubernetes.Infrastructure;
using Granary.Tests.Runtime.Cluster;
using Xunit.Abstractions;

namespace Granary.Tests.Host.Clustered;

/// <summary>
/// Three <c>granary run</c> processes in cluster mode (see <see cref="HostProcessCluster"/>) on a local control plane,
/// a git repository with a few ConfigMaps, and a GitRepository + Kustomization to apply them through the API.
/// </summary>
[Collection(ClusterCollection.Name)]
public abstract class ClusteredHostTestBase(LocalKubernetes kubernetes, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>How long a test waits for something to happen (generous: the machine is shared).</summary>
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    /// <summary>Leases of 8 s (the default) so a busy machine does not miss them; the grace is shorter than the default 25 s to keep the test short.</summary>
    protected static readonly HostClusterSettings Clocks = new(Heartbeat: TimeSpan.FromSeconds(1), LeaseTimeout: TimeSpan.FromSeconds(8), ShutdownGrace: TimeSpan.FromSeconds(15));

    /// <summary>The ConfigMaps the repository holds under <c>apps/</c>.</summary>
    protected static readonly string[] ConfigMaps = ["alpha", "beta", "gamma"];

    /// <summary>The Granary namespace of the GitRepository and the Kustomization.</summary>
    protected string Ns { get; } = $"fleet-{Guid.NewGuid():N}"[..14];

    /// <summary>The git repository the GitRepository points at.</summary>
    protected TestGitRepository Repository { get; } = TestGitRepository.Create();

    /// <summary>The local control plane the silos manage.</summary>
    protected LocalKubernetes Kubernetes => kubernetes;

    /// <summary>The silos.</summary>
    protected HostProcessCluster Cluster { get; private set; } = null!;

    /// <summary>The Kubernetes namespace the Kustomization applies into.</summary>
    protected TestNamespace Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Target = await kubernetes.Cluster.CreateNamespaceAsync("hostcluster");
        Cluster = await HostProcessCluster.StartAsync(3, kubernetes.Cluster.KubeconfigPath, Clocks);
        await WaitForMembersAsync(Cluster.Silos, Cluster.Silos, "every silo to see the three silos Active");
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Target.DisposeAsync();
        Repository.Dispose();
    }

    /// <summary>Commits the ConfigMaps with <paramref name="value"/>; answers the commit.</summary>
    protected string CommitConfigMaps(string value) =>
        Repository.Commit(ConfigMaps.ToDictionary(name => $"apps/{name}.yaml", name => $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  value: \"{value}\"\n"), $"config {value}");

    /// <summary>The GitRepository (polled every 3 s) and the Kustomization of <c>./apps</c> into <see cref="Target"/>.</summary>
    protected string FleetYaml() => $"""
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata:
          name: fleet
          namespace: {Ns}
        spec:
          url: {Repository.Url}
          interval: 3s
          ref:
            branch: main
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: apps
          namespace: {Ns}
        spec:
          sourceRef:
            kind: GitRepository
            name: fleet
          path: ./apps
          prune: true
          interval: 10m
          retryInterval: 2s
          targetNamespace: {Target}
        """;

    /// <summary>The API path of a resource of this test.</summary>
    protected string ResourcePath(string kind, string name, string? suffix = null) => $"/api/v1/resources/{kind}/{Ns}/{name}{(suffix is null ? string.Empty : "/" + suffix)}";

    /// <summary>Waits until <paramref name="via"/> shows the Kustomization Ready at <paramref name="commit"/> and every ConfigMap holds <paramref name="value"/>.</summary>
    protected async Task WaitAppliedAsync(HostProcess via, string commit, string value)
    {
        JsonNode? last = null;
        try
        {
            await Eventually.WaitUntilAsync(async () =>
            {
                var status = (last = await via.GetJsonAsync(ResourcePath("Kustomization", "apps")))["status"]!;
                return status["ready"]?.GetValue<string>() == "True" && status["lastAppliedRevision"]?.GetValue<string>() == $"main@sha1:{commit}";
            }, Deadline, $"Kustomization apps to be Ready at {commit}, read through {via.Name}");
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message} Last status: {last?["status"]?.ToJsonString()}\n{Logs()}", exception);
        }

        foreach (var name in ConfigMaps)
        {
            Assert.Equal(value, (await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{Target}/configmaps/{name}"))?["data"]?["value"]?.GetValue<string>());
        }
    }

    /// <summary>Waits until the resource list read through <paramref name="via"/> shows both resources Ready at <paramref name="commit"/>, every ConfigMap in the inventory.</summary>
    protected async Task WaitListedAsync(HostProcess via, string commit)
    {
        string? last = null;
        try
        {
            await Eventually.WaitUntilAsync(async () =>
            {
                var items = (await via.GetJsonAsync($"/api/v1/resources?namespace={Ns}"))["items"]!.AsArray();
                last = items.ToJsonString();
                return items.Count == 2
                    && items.All(i => i!["ready"]!.GetValue<string>() == "True" && i["revision"]?.GetValue<string>() == $"main@sha1:{commit}")
                    && items.Single(i => i!["kind"]!.GetValue<string>() == "Kustomization")!["inventoryCount"]!.GetValue<int>() == ConfigMaps.Length;
            }, Deadline, $"the resource list read through {via.Name} to show both resources Ready at {commit}");
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message} Last list: {last}", exception);
        }
    }

    /// <summary>A resource's history read through <paramref name="via"/>, as (version, type) in order.</summary>
    protected async Task<List<(long Version, string Type)>> HistoryAsync(HostProcess via, string kind, string name) =>
        [.. (await via.GetJsonAsync(ResourcePath(kind, name, "history")))["items"]!.AsArray()
            .Select(e => (e!["version"]!.GetValue<long>(), e["type"]!.GetValue<string>()))];

    /// <summary>Asserts a history is versions 1..n without gap or repeat and starts with everything <paramref name="earlier"/> held.</summary>
    protected static void AssertComplete(List<(long Version, string Type)> history, List<(long Version, string Type)> earlier, string what)
    {
        Assert.True(history.Select(e => e.Version).SequenceEqual(Enumerable.Range(1, history.Count).Select(v => (long)v)),
            $"{what}: versions are {string.Join(", ", history.Select(e => e.Version))}, not 1..{history.Count}");
        Assert.True(history.Take(earlier.Count).SequenceEqual(earlier), $"{what}: the events read before ({string.Join(", ", earlier)}) are not the start of the events read after ({string.Join(", ", history)})");
    }

    /// <summary>What <paramref name="via"/> answers about the cluster (its membership view and its activations).</summary>
    protected static Task<JsonNode> ClusterStateAsync(HostProcess via) => via.GetJsonAsync("/api/v1/cluster");

    /// <summary>Waits until each of <paramref name="observers"/> sees exactly <paramref name="active"/> as the Active silos.</summary>
    protected static Task WaitForMembersAsync(IEnumerable<HostProcess> observers, IEnumerable<HostProcess> active, string what)
    {
        var expected = active.Select(s => s.Endpoint).Order(StringComparer.Ordinal).ToList();
        return Eventually.WaitUntilAsync(async () =>
        {
            foreach (var observer in observers)
            {
                var members = (await ClusterStateAsync(observer))["members"]!.AsArray();
                var seen = members.Where(m => m!["status"]!.GetValue<string>() == "Active").Select(m => m!["endpoint"]!.GetValue<string>()).Order(StringComparer.Ordinal);
                if (!seen.SequenceEqual(expected))
                {
                    return false;
                }
            }

            return true;
        }, Deadline, what);
    }

    /// <summary>Waits until exactly one of <paramref name="silos"/> has an activation of <paramref name="grainKind"/>, and answers it.</summary>
    protected static async Task<HostProcess> HostOfAsync(IEnumerable<HostProcess> silos, string grainKind)
    {
        HostProcess? host = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            var hosting = new List<HostProcess>();
            foreach (var silo in silos)
            {
                if ((await ClusterStateAsync(silo))["activations"]?[grainKind]?.GetValue<int>() > 0)
                {
                    hosting.Add(silo);
                }
            }

            host = hosting.Count == 1 ? hosting[0] : null;
            return host is not null;
        }, Deadline, $"exactly one silo to host the {grainKind} grain");
        return host!;
    }

    /// <summary>Writes a line to the test's output (timings, for a reader of the CI log).</summary>
    protected void Report(string line) => output.WriteLine(line);

    /// <summary>The last log lines of every silo, for failure messages.</summary>
    protected string Logs() => string.Join("\n", Cluster.Silos.Select(s => $"--- {s.Name} ---\n{s.LogTail(15)}"));
}
