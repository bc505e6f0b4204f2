using System.Diagnostics;
using System.Text;
using Granary.Contracts.Deployments;
using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Grains.Artifacts;
using Granary.Grains.Build.Kustomize;
using Granary.Grains.Deployments;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Grains.Secrets;
using Granary.Grains.Sources;
using Granary.Grains.Sources.Git;
using Granary.Runtime;
using Granary.Testing;
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
            var repo = Path.Combine(work, "repo");
            Git(work, "init", "-q", "-b", "main", repo);
            var ns = "bench";
            await cluster.Admin.CreateAsync("/api/v1/namespaces", new() { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = ns } });
            WriteLayers(repo, "v1");
            WriteApps(repo);
            Commit(repo);

            using var client = new KubernetesClient(KubeconfigLoader.Load(cluster.KubeconfigPath));
            var limits = new ArtifactLimits();
            var git = new GitSource(new GitClient(new GitClientOptions { CacheDirectory = Path.Combine(work, "cache"), ScratchDirectory = Path.Combine(work, "tmp") }),
                new ArtifactBuilder(limits), new ArtifactExtractor(limits), Path.Combine(work, "src"));
            var environment = new KustomizationEnvironment(client, new KustomizeBuilder(new KustomizeOptions { KubectlPath = Tools.Kubectl }), new ArtifactExtractor(limits), Path.Combine(work, "builds"));
            await using var silo = await TestSilo.StartAsync(c =>
            {
                var options = new SiloOptions { ConnectionString = c.ConnectionString, Schema = c.Schema };
                options.Grains
                    .Add<IGitRepositoryGrain, GitRepositoryGrain>(() => new GitRepositoryGrain(git, new ClusterSecretReader(client)))
                    .Add<IKustomizationGrain, KustomizationGrain>(() => new KustomizationGrain(environment));
                options.EventTypes.RegisterAnnotated(typeof(Applied).Assembly);
                return options;
            });

            var source = silo.Grains.Get<IGitRepositoryGrain>($"{ns}/fleet");
            await source.ApplyAsync(new GitRepository
            {
                ApiVersion = GitRepository.Version,
                Kind = "GitRepository",
                Metadata = new ObjectMetadata { Name = "fleet", Namespace = ns },
                Spec = new GitRepositorySpec { Url = "file://" + repo, Interval = GoDuration.Parse("10m"), Ref = new GitRepositoryRef { Branch = "main" } },
            });

            Figures.Print("dependency_chain_5_seconds", await DependencyChainAsync(silo, source, repo, ns), "s");
            Figures.Print("kustomizations_1000_ready_seconds", await ThousandReadyAsync(silo, ns), "s");

            var (events, cpu) = await IdlePassAsync(silo, ns);
            Figures.Print("idle_pass_events", events, "events");
            Figures.Print("idle_pass_cpu_seconds", cpu, "s");

            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var self = Process.GetCurrentProcess();
            Figures.Print("memory_mb_per_1000_kustomizations", self.WorkingSet64 / (1024.0 * 1024.0) / ((Apps + Layers) / 1000.0), "MiB");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<double> DependencyChainAsync(TestSilo silo, IGitRepositoryGrain source, string repo, string ns)
    {
        for (var layer = 1; layer <= Layers; layer++)
        {
            await ApplyKustomizationAsync(silo, ns, $"layer-{layer}", $"./layers/{layer}", layer == 1 ? null : $"layer-{layer - 1}");
        }

        var last = silo.Grains.Get<IKustomizationGrain>($"{ns}/layer-{Layers}");
        await Eventually.WaitUntilAsync(async () => (await last.GetStatusAsync()).IsReady, Deadline, "the chain to converge");

        WriteLayers(repo, "v2");
        var commit = Commit(repo);
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

    private static void WriteLayers(string repo, string value)
    {
        for (var layer = 1; layer <= Layers; layer++)
        {
            Write(repo, $"layers/{layer}/config.yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: layer-{layer}\ndata:\n  value: \"{value}\"\n");
        }
    }

    /// <summary>Flux's benchmark shape: a ServiceAccount, a headless Service, an Ingress and a Deployment with 0 replicas per app.</summary>
    private static void WriteApps(string repo)
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

    private static void Write(string repo, string path, string content)
    {
        var full = Path.Combine(repo, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content, Encoding.UTF8);
    }

    private static string Commit(string repo)
    {
        Git(repo, "add", "-A");
        Git(repo, "-c", "user.name=bench", "-c", "user.email=bench@granary.dev", "commit", "-q", "-m", "bench");
        return Git(repo, "rev-parse", "HEAD").Trim();
    }

    private static string Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {errors}");
    }
}
