using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Testing.Kubernetes;

/// <summary>
/// One real Kubernetes v1.20 control plane on 127.0.0.1: a kube-apiserver (TLS with its own CA, static bearer tokens,
/// RBAC) and a kube-controller-manager, storing its objects in the shared etcd under <c>/cluster-&lt;name&gt;</c>.
/// There is no kubelet and no scheduler; see <see cref="NodeSimulator"/>.
/// </summary>
public sealed class LocalCluster
{
    /// <summary>How many token users without rights each cluster knows (the token file is read once at start).</summary>
    public const int UsersWithoutRights = 32;

    /// <summary>The first address of the Service IP range; the <c>kubernetes</c> Service gets it.</summary>
    public const string ServiceClusterIpRange = "10.0.0.0/24";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private readonly ChildProcess apiserver;
    private readonly ChildProcess controllerManager;
    private readonly ClusterCertificates certificates;
    private readonly IReadOnlyList<ClusterUser> users;
    private readonly X509Certificate2 ca;
    private int usersHandedOut;

    private LocalCluster(string name, Uri server, ClusterCertificates certificates, string adminToken, IReadOnlyList<ClusterUser> users,
        ChildProcess apiserver, ChildProcess controllerManager, X509Certificate2 ca, string directory)
    {
        Name = name;
        Server = server;
        this.certificates = certificates;
        AdminToken = adminToken;
        this.users = users;
        this.apiserver = apiserver;
        this.controllerManager = controllerManager;
        StateDirectory = directory;
        CaPem = File.ReadAllText(certificates.CaCertificate);
        this.ca = ca;
        KubeconfigPath = Kubeconfig.WriteWithToken(Path.Combine(directory, "kubeconfig"), name, server, CaPem, "admin", adminToken);
        ClientCertificateKubeconfigPath = Kubeconfig.WriteWithClientCertificate(Path.Combine(directory, "kubeconfig-client-certificate"),
            name, server, CaPem, "granary-admin", File.ReadAllText(certificates.AdminClientCertificate), File.ReadAllText(certificates.AdminClientKey));
        Admin = new ClusterApi(CreateHttpClient(adminToken));
    }

    /// <summary>The cluster's name (also its etcd prefix and kubeconfig context).</summary>
    public string Name { get; }

    /// <summary>The API server's URL, <c>https://127.0.0.1:&lt;port&gt;</c>.</summary>
    public Uri Server { get; }

    /// <summary>The PEM of the CA that signed the API server's serving certificate (and the admin client certificate).</summary>
    public string CaPem { get; }

    /// <summary>A bearer token of user <c>admin</c> in group <c>system:masters</c>: may do everything.</summary>
    public string AdminToken { get; }

    /// <summary>A kubeconfig (YAML, CA embedded) whose current context reaches this cluster as <c>admin</c> by token.</summary>
    public string KubeconfigPath { get; }

    /// <summary>The same, but authenticating with a client certificate (CN granary-admin, O system:masters) as kind and kubeadm do.</summary>
    public string ClientCertificateKubeconfigPath { get; }

    /// <summary>The directory holding this cluster's certificates, kubeconfigs and logs.</summary>
    public string StateDirectory { get; }

    /// <summary>The API as <c>admin</c>, for arranging and inspecting objects in tests.</summary>
    public ClusterApi Admin { get; }

    /// <summary>The serving certificate and key files, so a proxy in front of this cluster can present the same identity.</summary>
    internal (string Certificate, string Key) ServingCertificate => (certificates.ServingCertificate, certificates.ServingKey);

    /// <summary>Starts the API server and controller-manager and waits until both work.</summary>
    internal static async Task<LocalCluster> StartAsync(string name, ControlPlaneBinaries binaries, Uri etcd, RunDirectory run)
    {
        var directory = run.Folder("clusters", name);
        var certificates = await ClusterCertificates.CreateAsync(Path.Combine(directory, "pki"), name, CancellationToken.None);
        var adminToken = NewToken();
        var users = Enumerable.Range(1, UsersWithoutRights).Select(i => new ClusterUser($"user-{i}", NewToken())).ToList();
        var tokenFile = Path.Combine(directory, "tokens.csv");
        // token,user,uid,"group1,group2" — the users without rights are in no group but system:authenticated.
        await File.WriteAllLinesAsync(tokenFile,
            [$"{adminToken},admin,admin,system:masters", .. users.Select(u => $"{u.Token},{u.Name},{u.Name}")]);

        var caPem = await File.ReadAllTextAsync(certificates.CaCertificate);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var server = new Uri($"https://127.0.0.1:{port}");
            var apiserver = ChildProcess.Start($"kube-apiserver of cluster {name}", binaries.KubeApiserver,
                ApiserverArguments(name, etcd, port, certificates, tokenFile, directory), Path.Combine(directory, "kube-apiserver.log"));
            run.Record(apiserver);
            var ca = X509Certificate2.CreateFromPem(caPem);
            ChildProcess? controllerManager = null;
            LocalCluster? cluster = null;
            try
            {
                using (var probe = new ClusterApi(CreateHttpClient(server, ca, adminToken)))
                {
                    await apiserver.WaitUntilAsync(() => IsReadyAsync(probe), ReadyTimeout, $"ready at {server}readyz");
                }

                var kubeconfig = Kubeconfig.WriteWithToken(Path.Combine(directory, "controller-manager.kubeconfig"), name, server,
                    caPem, "admin", adminToken);
                controllerManager = ChildProcess.Start($"kube-controller-manager of cluster {name}", binaries.KubeControllerManager,
                    ControllerManagerArguments(kubeconfig, certificates), Path.Combine(directory, "kube-controller-manager.log"));
                run.Record(controllerManager);
                cluster = new LocalCluster(name, server, certificates, adminToken, users, apiserver, controllerManager, ca, directory);
                // The default ServiceAccount's token Secret proves the controller-manager runs and can sign tokens.
                await controllerManager.WaitUntilAsync(() => cluster.HasServiceAccountTokenAsync("default", "default"), ReadyTimeout,
                    "running (no token Secret for ServiceAccount default/default)");
                return cluster;
            }
            catch
            {
                var portTaken = FreePort.WasTaken(apiserver.LogTail());
                if (cluster is not null)
                {
                    cluster.Stop();
                }
                else
                {
                    controllerManager?.Dispose();
                    apiserver.Dispose();
                    ca.Dispose();
                }

                if (!portTaken || attempt >= 3)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>An HTTP client for this cluster's API (or <paramref name="server"/>, e.g. a proxy) that trusts the cluster CA and sends <paramref name="token"/>.</summary>
    public HttpClient CreateHttpClient(string? token = null, Uri? server = null) => CreateHttpClient(server ?? Server, ca, token);

    /// <summary>Hands out a token user this cluster knows that has no rights beyond discovery; a test may bind it roles by name.</summary>
    public ClusterUser CreateUserWithoutRights()
    {
        var next = Interlocked.Increment(ref usersHandedOut);
        return next <= users.Count
            ? users[next - 1]
            : throw new InvalidOperationException($"Cluster {Name} has only {users.Count} token users (LocalCluster.UsersWithoutRights); use CreateServiceAccountAsync for more.");
    }

    /// <summary>Writes a kubeconfig for <paramref name="user"/>, optionally pointing at <paramref name="server"/> (e.g. a <see cref="FaultProxy"/>), and returns its path.</summary>
    public string WriteKubeconfig(ClusterUser user, Uri? server = null) =>
        Kubeconfig.WriteWithToken(Path.Combine(StateDirectory, $"kubeconfig-{Guid.NewGuid():N}"), Name, server ?? Server, CaPem, user.Name, user.Token);

    /// <summary>Creates a namespace with a unique name starting with <paramref name="prefix"/> and waits until Pods can be created in it.</summary>
    public async Task<TestNamespace> CreateNamespaceAsync(string prefix = "test")
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        await Admin.CreateAsync("/api/v1/namespaces", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name },
        });
        // v1.20's ServiceAccount admission rejects Pods until the namespace's default account has its token Secret.
        await Eventually.WaitUntilAsync(() => HasServiceAccountTokenAsync(name, "default"), ReadyTimeout,
            $"a token Secret for ServiceAccount {name}/default in cluster {Name}");
        return new TestNamespace(this, name);
    }

    /// <summary>Creates a ServiceAccount, waits for the token Secret the controller-manager makes for it, and returns it as a user.</summary>
    public async Task<ClusterUser> CreateServiceAccountAsync(string @namespace, string name)
    {
        await Admin.CreateAsync($"/api/v1/namespaces/{@namespace}/serviceaccounts", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = name },
        });
        string? token = null;
        await Eventually.WaitUntilAsync(async () => (token = await ServiceAccountTokenAsync(@namespace, name)) is not null, ReadyTimeout,
            $"a token Secret for ServiceAccount {@namespace}/{name} in cluster {Name}");
        return new ClusterUser($"system:serviceaccount:{@namespace}:{name}", token!);
    }

    /// <summary>The token from the Secret the controller-manager made for a ServiceAccount, or null while there is none.</summary>
    public async Task<string?> ServiceAccountTokenAsync(string @namespace, string name)
    {
        var account = await Admin.GetAsync($"/api/v1/namespaces/{@namespace}/serviceaccounts/{name}");
        foreach (var reference in account?["secrets"]?.AsArray() ?? [])
        {
            var secret = await Admin.GetAsync($"/api/v1/namespaces/{@namespace}/secrets/{reference?["name"]?.GetValue<string>()}");
            if (secret?["type"]?.GetValue<string>() == "kubernetes.io/service-account-token"
                && secret["data"]?["token"]?.GetValue<string>() is { } encoded)
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
        }

        return null;
    }

    /// <summary>The process ids of this cluster's API server and controller-manager (for measuring them).</summary>
    public IReadOnlyList<int> ProcessIds => [apiserver.Id, controllerManager.Id];

    /// <summary>Sends both processes SIGKILL without waiting (the first step of a fast shutdown).</summary>
    internal void Signal()
    {
        controllerManager.Signal();
        apiserver.Signal();
    }

    /// <summary>Stops the controller-manager and API server; only the owning <see cref="LocalControlPlanes"/> does this.</summary>
    internal void Stop()
    {
        controllerManager.Dispose();
        apiserver.Dispose();
        Admin.Dispose();
        ca.Dispose();
    }

    private async Task<bool> HasServiceAccountTokenAsync(string @namespace, string name) =>
        await ServiceAccountTokenAsync(@namespace, name) is not null;

    private static IEnumerable<string> ApiserverArguments(string name, Uri etcd, int port, ClusterCertificates certificates, string tokenFile, string directory) =>
    [
        $"--etcd-servers={etcd.GetLeftPart(UriPartial.Authority)}",
        $"--etcd-prefix=/cluster-{name}",
        "--bind-address=127.0.0.1",
        $"--secure-port={port}",
        "--insecure-port=0",
        $"--cert-dir={Path.Combine(directory, "pki")}",
        $"--tls-cert-file={certificates.ServingCertificate}",
        $"--tls-private-key-file={certificates.ServingKey}",
        $"--client-ca-file={certificates.CaCertificate}",
        $"--token-auth-file={tokenFile}",
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        $"--service-account-signing-key-file={certificates.ServiceAccountKey}",
        $"--service-account-key-file={certificates.ServiceAccountPublicKey}",
        // On loopback the default reconciler fails: 127.0.0.1 is not a valid endpoint for the kubernetes Service.
        "--endpoint-reconciler-type=none",
        $"--service-cluster-ip-range={ServiceClusterIpRange}",
        // Charts often ask for privileged containers; nothing runs here, so allow them.
        "--allow-privileged=true",
        "--profiling=false",
    ];

    private static IEnumerable<string> ControllerManagerArguments(string kubeconfig, ClusterCertificates certificates) =>
    [
        $"--kubeconfig={kubeconfig}",
        $"--service-account-private-key-file={certificates.ServiceAccountKey}",
        $"--root-ca-file={certificates.CaCertificate}",
        "--use-service-account-credentials=true",
        "--controllers=*",
        "--leader-elect=false",
        // No health or metrics endpoints: nothing to collide with, and readiness is checked through the API.
        "--port=0",
        "--secure-port=0",
        "--profiling=false",
    ];

    private static async Task<bool> IsReadyAsync(ClusterApi api)
    {
        try
        {
            using var response = await api.Http.GetAsync("/readyz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;   // not listening yet
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>A handler that trusts only this cluster's CA and changes nothing in requests or responses (no redirects, cookies or decompression).</summary>
    internal SocketsHttpHandler CreateHandler() => CreateHandler(ca);

    private static SocketsHttpHandler CreateHandler(X509Certificate2 ca)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(ca);
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy },
            AllowAutoRedirect = false,
            UseCookies = false,
        };
    }

    private static HttpClient CreateHttpClient(Uri server, X509Certificate2 ca, string? token)
    {
        var http = new HttpClient(CreateHandler(ca)) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
