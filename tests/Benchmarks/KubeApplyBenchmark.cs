using System.Diagnostics;
using System.Text;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Grains.Kubernetes.Manifests;
using Granary.Testing;
using Granary.Testing.Kubernetes;

namespace Granary.Benchmarks;

/// <summary>
/// Server-side apply of 1,000 objects (250 apps of a ServiceAccount, Service, Ingress and a Deployment with 0 replicas,
/// the shape of Flux's own benchmark) against a private local control plane: the pinned kubectl first, then our engine,
/// each into its own namespace, first apply and unchanged re-apply.
/// </summary>
internal static class KubeApplyBenchmark
{
    private const int Apps = 250;
    private const int Rounds = 3;
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(3);

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        var kubectl = Path.Combine(RepositoryRoot.Path, ".granary", "tools", "bin", "kubectl");
        if (!File.Exists(kubectl))
        {
            throw new InvalidOperationException($"{kubectl} is missing; run deploy/local/bootstrap first.");
        }

        using var planes = await LocalControlPlanes.StartAsync();
        var cluster = await planes.ClusterAsync("kube-bench");
        var work = Directory.CreateTempSubdirectory("granary-kube-bench-").FullName;
        try
        {
            // A silo is a long-running process: JIT-compile the engine once with a small apply elsewhere. Every measured
            // first apply still uses a fresh client, so discovery starts cold, as kubectl's does with a fresh cache.
            using (var warm = new KubernetesClient(KubeconfigLoader.Load(cluster.KubeconfigPath)))
            {
                var objects = ManifestReader.Parse(Manifests(await NamespaceAsync(cluster, "warm-up"), apps: 2), "warm-up");
                await new ApplyEngine(warm).ApplyAsync(new ResourceOwner("warm-up", "flux-system"), objects, Inventory.Empty, new ApplyOptions(), cancellationToken);
            }

            // The build machine is shared, so its load drifts: interleave kubectl and our runs and report medians.
            var figures = new Dictionary<string, List<double>>();
            for (var round = 1; round <= Rounds; round++)
            {
                var kubectlNamespace = await NamespaceAsync(cluster, $"kubectl-{round}");
                var kubectlFile = Path.Combine(work, $"kubectl-{round}.yaml");
                await File.WriteAllTextAsync(kubectlFile, Manifests(kubectlNamespace, Apps), cancellationToken);
                var cache = Path.Combine(work, $"kube-cache-{round}");
                Add(figures, "kubectl_ssa_1000_seconds", await KubectlApplyAsync(kubectl, cluster, kubectlFile, cache, cancellationToken));
                await SettleAsync(cluster, kubectlNamespace);
                Add(figures, "kubectl_ssa_reapply_1000_seconds", await KubectlApplyAsync(kubectl, cluster, kubectlFile, cache, cancellationToken));

                var yaml = Manifests(await NamespaceAsync(cluster, $"granary-{round}"), Apps);
                using var client = new KubernetesClient(KubeconfigLoader.Load(cluster.KubeconfigPath));
                var engine = new ApplyEngine(client);
                var owner = new ResourceOwner("bench", "flux-system");
                var clock = Stopwatch.StartNew();
                var first = await engine.ApplyAsync(owner, ManifestReader.Parse(yaml, "benchmark"), Inventory.Empty, new ApplyOptions(), cancellationToken);
                Add(figures, "first_apply_1000_seconds", clock.Elapsed.TotalSeconds);
                Check(first, ChangeAction.Created);
                await SettleAsync(cluster, $"granary-{round}");

                clock.Restart();
                var again = await engine.ApplyAsync(owner, ManifestReader.Parse(yaml, "benchmark"), first.Inventory, new ApplyOptions { Prune = true }, cancellationToken);
                Add(figures, "unchanged_reapply_1000_seconds", clock.Elapsed.TotalSeconds);
                Check(again, ChangeAction.Unchanged);
            }

            var kubectlFirst = Median(figures["kubectl_ssa_1000_seconds"]);
            var kubectlAgain = Median(figures["kubectl_ssa_reapply_1000_seconds"]);
            var ours = Median(figures["first_apply_1000_seconds"]);
            var oursAgain = Median(figures["unchanged_reapply_1000_seconds"]);
            Figures.Print("kubectl_ssa_1000_seconds", kubectlFirst, "s");
            Figures.Print("kubectl_ssa_reapply_1000_seconds", kubectlAgain, "s");
            Figures.Print("first_apply_1000_seconds", ours, "s");
            Figures.Print("first_apply_ratio", ours / kubectlFirst, "x");
            Figures.Print("unchanged_reapply_1000_seconds", oursAgain, "s");
            Figures.Print("unchanged_reapply_ratio", oursAgain / kubectlAgain, "x");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Add(Dictionary<string, List<double>> figures, string name, double value)
    {
        if (!figures.TryGetValue(name, out var values))
        {
            figures[name] = values = [];
        }

        values.Add(value);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static void Check(ApplyResult result, ChangeAction expected)
    {
        if (!result.Succeeded || result.ChangeSet.Count(expected) != Apps * 4)
        {
            throw new InvalidOperationException($"Expected {Apps * 4} objects {expected}: {result.Reason}: {result.Message}");
        }
    }

    private static async Task<double> KubectlApplyAsync(string kubectl, LocalCluster cluster, string file, string cache, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--kubeconfig", cluster.KubeconfigPath, "--cache-dir", cache, "apply", "--server-side", "-f", file })
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl apply failed ({process.ExitCode}): {await errors}");
        }

        return seconds;
    }

    private static async Task<string> NamespaceAsync(LocalCluster cluster, string name)
    {
        await cluster.Admin.CreateAsync("/api/v1/namespaces", new() { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name } });
        return name;
    }

    // The controller-manager creates a ReplicaSet per new Deployment; let it finish so it does not compete with the next measurement.
    private static Task SettleAsync(LocalCluster cluster, string @namespace) =>
        Eventually.WaitUntilAsync(async () =>
        {
            var deployments = (await cluster.Admin.GetAsync($"/apis/apps/v1/namespaces/{@namespace}/deployments"))!["items"]!.AsArray();
            return deployments.Count == Apps && deployments.All(d => d!["status"]?["observedGeneration"] is not null);
        }, SettleTimeout, $"the {Apps} Deployments in {@namespace} to be observed by their controller");

    /// <summary>
    /// The objects as YAML. Services are headless: 500 ClusterIP Services would exhaust the local clusters' /24 Service
    /// range. Ports name their protocol because kubectl, unlike our engine, does not default it for v1.20 servers.
    /// </summary>
    private static string Manifests(string @namespace, int apps)
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < apps; i++)
        {
            var app = $"app-{i:000}";
            yaml.Append($"""
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: {app}
                  namespace: {@namespace}
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: {app}
                  namespace: {@namespace}
                spec:
                  clusterIP: None
                  selector:
                    app: {app}
                  ports:
                  - name: http
                    port: 80
                    protocol: TCP
                    targetPort: http
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: {app}
                  namespace: {@namespace}
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
                              name: http
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {app}
                  namespace: {@namespace}
                  labels:
                    app: {app}
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
                        image: ghcr.io/stefanprodan/podinfo:6.7.0
                        ports:
                        - name: http
                          containerPort: 9898
                          protocol: TCP
                        resources:
                          requests:
                            cpu: 100m
                            memory: 64Mi
                ---

                """);
        }

        return yaml.ToString();
    }
}
