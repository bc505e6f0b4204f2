using System.Diagnostics;
using System.Text;
using Granary.Contracts.Deployments;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Testing;
using Granary.Testing.Git;
using Granary.Testing.GitOps;
using Granary.Testing.Kubernetes;
using Granary.Testing.Runtime;

namespace Granary.Benchmarks;

/// <summary>
/// The GitOps loop end to end on a local control plane: a dependsOn chain following a commit, 1,000 Kustomizations
/// from one GitRepository to Ready, an idle interval pass, and the silo's memory per 1,000 Kustomizations.
/// </summary>
internal static class GitOpsBenchmark
{
    private const int Layers = 5;
    private const int Apps = 1000;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        using var planes = await LocalControlPlanes.StartAsync();
        var cluster = await planes.ClusterAsync("gitops-bench");
        var work = Directory.CreateTempSubdirectory("granary-gitops-bench-").FullName;
        try
        {
            using var repo = TestGitRepository.Create();
            await using var ns = await cluster.CreateNamespaceAsync("bench");
            WriteLayers(repo, "v1");
            WriteApps(repo);
            repo.Commit(new Dictionary<string, string>());

            using var client = new KubernetesClient(KubeconfigLoader.Load(cluster.KubeconfigPath));
            await using var silo = await GitOpsSilo.StartAsync(client, work);

            var source = silo.Grains.Get<IGitRepositoryGrain>($"{ns}/fleet");
            await source.ApplyAsync(new GitRepository
            {
                ApiVersion = GitRepository.Version,
                Kind = "GitRepository",
                Metadata = new ObjectMetadata { Name = "fleet", Namespace = ns.Name },
                Spec = new GitRepositorySpec { Url = repo.Url, Interval = GoDuration.Parse("10m"), Ref = new GitRepositoryRef { Branch = "main" } },
            });

            Figures.Print("dependency_chain_5_seconds", await DependencyChainAsync(silo, source, repo, ns.Name), "s");
            var before = Memory();
            Figures.Print("kustomizations_1000_ready_seconds", await ThousandReadyAsync(silo, ns.Name), "s");
            await RequireDeploymentsAsync(client, ns.Name);

            var (events, cpu) = await IdlePassAsync(silo, ns.Name);
            Figures.Print("idle_pass_events", events, "events");
            Figures.Print("idle_pass_cpu_seconds", cpu, "s");

            // What the thousand Kustomizations cost: the silo's working set and managed heap with them active, less
            // before they existed (the runtime, TLS, Npgsql and the code itself are there either way).
            var after = Memory();
            Figures.Print("memory_mb_per_1000_kustomizations", (after.WorkingSet - before.WorkingSet) / (Apps / 1000.0), "MiB");
            Figures.Print("managed_heap_mb_per_1000_kustomizations", (after.Heap - before.Heap) / (Apps / 1000.0), "MiB");
            Figures.Print("silo_working_set_mb", after.WorkingSet, "MiB");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The process working set and live managed heap after a full collection, in MiB.</summary>
    private static (double WorkingSet, double Heap) Memory()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        return (self.WorkingSet64 / (1024.0 * 1024.0), heap / (1024.0 * 1024.0));
    }

    /// <summary>Ready must mean applied: every app's Deployment is in the cluster.</summary>
    private static async Task RequireDeploymentsAsync(KubernetesClient client, string ns)
    {
        var deployments = await client.ListAllAsync("apps/v1", "Deployment", ns, null, CancellationToken.None);
        var apps = deployments.Count(d => d["metadata"]?["name"]?.GetValue<string>() is { } name && name.StartsWith("app-", StringComparison.Ordinal));
        if (apps != Apps)
        {
            throw new InvalidOperationException($"{Apps} Kustomizations are Ready but the cluster holds {apps} of their Deployments");
        }
    }

    private static async Task<double> DependencyChainAsync(TestSilo silo, IGitRepositoryGrain source, TestGitRepository repo, string ns)
    {
        for (var layer = 1; layer <= Layers; layer++)
        {
            await ApplyKustomizationAsync(silo, ns, $"layer-{layer}", $"./layers/{layer}", layer == 1 ? null : $"layer-{layer - 1}");
        }

        var last = silo.Grains.Get<IKustomizationGrain>($"{ns}/layer-{Layers}");
        await Eventually.WaitUntilAsync(async () => (await last.GetStatusAsync()).IsReady, Deadline, "the chain to converge");

        WriteLayers(repo, "v2");
        var commit = repo.Commit(new Dictionary<string, string>());
        var clock = Stopwatch.StartNew();
        await source.ReconcileAsync();
        await Eventually.WaitUntilAsync(async () => (await last.GetStatusAsync()).LastAppliedRevision == $"main@sha1:{commit}", Deadline, "the last layer to apply the commit");
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ThousandReadyAsync(TestSilo silo, string ns)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, Apps, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            await ApplyKustomizationAsync(silo, ns, $"app-{i:0000}", $"./apps/app-{i:0000}", null));
        await Eventually.WaitUntilAsync(async () =>
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, Apps).Select(i => silo.Grains.Get<IKustomizationGrain>($"{ns}/app-{i:0000}").GetStatusAsync()));
            var failed = statuses.FirstOrDefault(s => s.ReadyReason is not (null or "ReconciliationSucceeded" or "Progressing"));
            return failed is not null
                ? throw new InvalidOperationException($"A Kustomization failed: {failed.Conditions.First().Message}")
                : statuses.All(s => s.IsReady);
        }, Deadline, "1,000 Kustomizations to be Ready");
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>One full interval with nothing changed: every Kustomization reconciles once; nothing may be appended.</summary>
    private static async Task<(double Events, double CpuSeconds)> IdlePassAsync(TestSilo silo, string ns)
    {
        var before = await CountEventsAsync(silo);
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        await Parallel.ForAsync(0, Apps, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            await silo.Grains.Get<IKustomizationGrain>($"{ns}/app-{i:0000}").ReconcileAsync());
        self.Refresh();
        var used = (self.TotalProcessorTime - cpu).TotalSeconds;
        return (await CountEventsAsync(silo) - before, used);
    }

    private static async Task<long> CountEventsAsync(TestSilo silo)
    {
        await using var command = silo.Silo.EventStore.DataSource.CreateCommand($"SELECT count(*) FROM {silo.Schema}.events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Task<DeploymentStatus> ApplyKustomizationAsync(TestSilo silo, string ns, string name, string path, string? dependsOn) =>
        silo.Grains.Get<IKustomizationGrain>($"{ns}/{name}").ApplyAsync(new Kustomization
        {
            ApiVersion = Kustomization.Version,
            Kind = "Kustomization",
            Metadata = new ObjectMetadata { Name = name, Namespace = ns },
            Spec = new KustomizationSpec
            {
                SourceRef = new CrossNamespaceSourceReference { Kind = "GitRepository", Name = "fleet" },
                Path = path,
                Interval = GoDuration.Parse("10m"),
                Prune = true,
                TargetNamespace = ns,
                DependsOn = dependsOn is null ? null : [new NamespacedObjectReference { Name = dependsOn }],
            },
        });

    private static void WriteLayers(TestGitRepository repo, string value)
    {
        for (var layer = 1; layer <= Layers; layer++)
        {
            Write(repo, $"layers/{layer}/config.yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: layer-{layer}\ndata:\n  value: \"{value}\"\n");
        }
    }

    /// <summary>Flux's benchmark shape: a ServiceAccount, a headless Service, an Ingress and a Deployment with 0 replicas per app.</summary>
    private static void WriteApps(TestGitRepository repo)
    {
        for (var i = 0; i < Apps; i++)
        {
            var app = $"app-{i:0000}";
            Write(repo, $"apps/{app}/app.yaml", $"""
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: {app}
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: {app}
                spec:
                  clusterIP: None
                  selector:
                    app: {app}
                  ports:
                  - name: http
                    port: 80
                    protocol: TCP
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: {app}
                spec:
                  rules:
                  - host: {app}.example.com
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: {app}
                            port:
                              number: 80
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {app}
                spec:
                  replicas: 0
                  selector:
                    matchLabels:
                      app: {app}
                  template:
                    metadata:
                      labels:
                        app: {app}
                    spec:
                      serviceAccountName: {app}
                      containers:
                      - name: app
                        image: nginx:1.25
                        ports:
                        - name: http
                          containerPort: 80
                          protocol: TCP
                """);
        }
    }

    private static void Write(TestGitRepository repo, string path, string content)
    {
        var full = Path.Combine(repo.WorkTree, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content, Encoding.UTF8);
    }
}
