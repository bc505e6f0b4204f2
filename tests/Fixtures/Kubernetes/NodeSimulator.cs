using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Testing.Kubernetes;

/// <summary>
/// Stands in for a kubelet and the scheduler, as kwok does, so workloads roll out for real through the
/// controller-manager: it keeps one fake Node Ready (heartbeat Lease), binds the unscheduled Pods of the namespaces it
/// watches to that node, and reports them Running and Ready through the <c>pods/status</c> subresource. Pods that do not
/// restart (Jobs) are reported finished instead, and Pods being deleted on the node are removed at once.
/// Behaviour per Pod can be changed with the annotations <see cref="ReadyAnnotation"/> and <see cref="ExitCodeAnnotation"/>.
/// </summary>
public sealed class NodeSimulator : IAsyncDisposable
{
    /// <summary>The fake node every simulator of a cluster shares (nodes are cluster-wide; one node keeps DaemonSets at one Pod).</summary>
    public const string NodeName = "granary-simulated-node";

    /// <summary>Set to <c>"false"</c> on a Pod to keep it Running but never Ready (a failing readiness probe).</summary>
    public const string ReadyAnnotation = "simulator.granary.dev/ready";

    /// <summary>On a Pod that does not restart, the exit code its containers finish with (default 0; non-zero means phase Failed).</summary>
    public const string ExitCodeAnnotation = "simulator.granary.dev/exit-code";

    private const string LeaseNamespace = "kube-node-lease";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    // The node lifecycle controller marks a node Unknown 40 s after its last heartbeat; renew well within that.
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    private readonly LocalCluster cluster;
    private readonly ConcurrentDictionary<string, byte> namespaces = new();
    private readonly CancellationTokenSource stopping = new();
    private Task loop = Task.CompletedTask;

    private NodeSimulator(LocalCluster cluster, IEnumerable<string> namespaces)
    {
        this.cluster = cluster;
        foreach (var name in namespaces)
        {
            Watch(name);
        }
    }

    /// <summary>The last error the background loop hit (it keeps going), to explain a rollout that never finished.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Registers the node (Ready) and starts simulating the Pods of <paramref name="namespaces"/>.</summary>
    public static async Task<NodeSimulator> StartAsync(LocalCluster cluster, params IEnumerable<string> namespaces)
    {
        var simulator = new NodeSimulator(cluster, namespaces);
        await simulator.HeartbeatAsync(CancellationToken.None);
        simulator.loop = Task.Run(() => simulator.RunAsync(simulator.stopping.Token));
        return simulator;
    }

    /// <summary>Starts simulating the Pods of another namespace.</summary>
    public void Watch(string @namespace) => namespaces.TryAdd(@namespace, 0);

    /// <summary>Stops simulating the Pods of a namespace; they keep whatever status they have.</summary>
    public void Forget(string @namespace) => namespaces.TryRemove(@namespace, out _);

    /// <summary>Stops the background loop. The node stays registered and turns NotReady about 40 s after the last simulator stops.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var nextHeartbeat = DateTime.UtcNow + HeartbeatInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (DateTime.UtcNow >= nextHeartbeat)
                {
                    await HeartbeatAsync(cancellationToken);
                    nextHeartbeat = DateTime.UtcNow + HeartbeatInterval;
                }

                foreach (var @namespace in namespaces.Keys)
                {
                    await SimulatePodsAsync(@namespace, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is KubernetesApiException or HttpRequestException or TaskCanceledException)
            {
                LastError = exception;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    // Registers the node if needed, reports it Ready, and renews its Lease (what the node lifecycle controller watches).
    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        await CreateIfAbsentAsync("/api/v1/nodes", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = NodeName,
                ["labels"] = new JsonObject
                {
                    ["kubernetes.io/hostname"] = NodeName,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                    ["type"] = "granary-simulated",
                },
            },
        }, cancellationToken);
        var resources = new JsonObject { ["cpu"] = "64", ["memory"] = "256Gi", ["pods"] = "1000", ["ephemeral-storage"] = "1Ti" };
        await cluster.Admin.PatchAsync($"/api/v1/nodes/{NodeName}/status", new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["capacity"] = resources.DeepClone(),
                ["allocatable"] = resources,
                ["conditions"] = new JsonArray(
                    NodeCondition("Ready", "True", "KubeletReady", "simulated by Granary's NodeSimulator", now),
                    NodeCondition("MemoryPressure", "False", "KubeletHasSufficientMemory", "", now),
                    NodeCondition("DiskPressure", "False", "KubeletHasNoDiskPressure", "", now),
                    NodeCondition("PIDPressure", "False", "KubeletHasSufficientPID", "", now)),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = "127.0.0.1" },
                    new JsonObject { ["type"] = "Hostname", ["address"] = NodeName }),
                ["nodeInfo"] = new JsonObject
                {
                    ["kubeletVersion"] = "v1.20.2",
                    ["kubeProxyVersion"] = "v1.20.2",
                    ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64",
                    ["containerRuntimeVersion"] = "simulated://1.0",
                    ["osImage"] = "Granary simulated node",
                },
            },
        }, cancellationToken: cancellationToken);

        var renewTime = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'");   // MicroTime
        var leaseSpec = new JsonObject { ["holderIdentity"] = NodeName, ["leaseDurationSeconds"] = 40, ["renewTime"] = renewTime };
        var leasePath = $"/apis/coordination.k8s.io/v1/namespaces/{LeaseNamespace}/leases";
        if (!await CreateIfAbsentAsync(leasePath, new JsonObject
            {
                ["apiVersion"] = "coordination.k8s.io/v1",
                ["kind"] = "Lease",
                ["metadata"] = new JsonObject { ["name"] = NodeName },
                ["spec"] = leaseSpec.DeepClone(),
            }, cancellationToken))
        {
            await cluster.Admin.PatchAsync($"{leasePath}/{NodeName}", new JsonObject { ["spec"] = leaseSpec }, cancellationToken: cancellationToken);
        }
    }

    private async Task SimulatePodsAsync(string @namespace, CancellationToken cancellationToken)
    {
        var list = await cluster.Admin.GetAsync($"/api/v1/namespaces/{@namespace}/pods", cancellationToken);
        foreach (var pod in list?["items"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            try
            {
                await SimulateAsync(@namespace, pod, cancellationToken);
            }
            catch (KubernetesApiException exception) when (exception.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                // The Pod changed or went away since the list; the next round sees its new state.
            }
        }
    }

    private async Task SimulateAsync(string @namespace, JsonObject pod, CancellationToken cancellationToken)
    {
        var name = pod["metadata"]!["name"]!.GetValue<string>();
        var path = $"/api/v1/namespaces/{@namespace}/pods/{name}";
        var nodeName = pod["spec"]?["nodeName"]?.GetValue<string>();
        var phase = pod["status"]?["phase"]?.GetValue<string>();

        if (pod["metadata"]!["deletionTimestamp"] is not null)
        {
            // A kubelet confirms a graceful deletion once the containers stopped; without one the Pod would stay Terminating.
            if (nodeName == NodeName)
            {
                await cluster.Admin.DeleteAsync(path, new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "DeleteOptions",
                    ["gracePeriodSeconds"] = 0,
                    ["preconditions"] = new JsonObject { ["uid"] = pod["metadata"]!["uid"]!.DeepClone() },
                }, cancellationToken);
            }

            return;
        }

        if (phase is "Succeeded" or "Failed")
        {
            return;
        }

        if (string.IsNullOrEmpty(nodeName))
        {
            await cluster.Admin.CreateAsync($"{path}/binding", new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Binding",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["target"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = NodeName },
            }, cancellationToken);
        }
        else if (nodeName != NodeName)
        {
            return;
        }

        var status = DesiredStatus(pod);
        if (status["phase"]!.GetValue<string>() == phase && ReadyStatus(status) == ReadyStatus(pod["status"]))
        {
            return;
        }

        await cluster.Admin.PatchAsync($"{path}/status", new JsonObject { ["status"] = status }, cancellationToken: cancellationToken);
    }

    // What a kubelet would report once the containers ran: Running (Ready unless annotated otherwise), or, for Pods
    // that do not restart, finished with the annotated exit code.
    private static JsonObject DesiredStatus(JsonObject pod)
    {
        var now = Now();
        var annotations = pod["metadata"]?["annotations"] as JsonObject;
        var spec = pod["spec"]!;
        var runsToCompletion = spec["restartPolicy"]?.GetValue<string>() is "Never" or "OnFailure";
        var exitCode = int.TryParse(annotations?[ExitCodeAnnotation]?.GetValue<string>(), out var code) ? code : 0;
        var ready = !runsToCompletion && annotations?[ReadyAnnotation]?.GetValue<string>() != "false";
        var phase = !runsToCompletion ? "Running" : exitCode == 0 ? "Succeeded" : "Failed";
        var uid = pod["metadata"]!["uid"]!.GetValue<string>();
        var podIp = PodIp(uid);

        JsonObject ContainerStatus(JsonNode? container, bool finished, int exit) => new()
        {
            ["name"] = container!["name"]!.DeepClone(),
            ["image"] = container["image"]?.DeepClone(),
            ["imageID"] = $"simulated://{container["image"]}",
            ["containerID"] = $"simulated://{Hash($"{uid}/{container["name"]}")}",
            ["ready"] = !finished && ready,
            ["started"] = !finished,
            ["restartCount"] = 0,
            ["state"] = finished
                ? new JsonObject
                {
                    ["terminated"] = new JsonObject
                    {
                        ["exitCode"] = exit,
                        ["reason"] = exit == 0 ? "Completed" : "Error",
                        ["startedAt"] = now,
                        ["finishedAt"] = now,
                    },
                }
                : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
        };

        var status = new JsonObject
        {
            ["phase"] = phase,
            ["hostIP"] = "127.0.0.1",
            ["podIP"] = podIp,
            ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp }),
            ["startTime"] = pod["status"]?["startTime"]?.DeepClone() ?? now,
            ["conditions"] = new JsonArray(
                PodCondition("PodScheduled", true, now),
                PodCondition("Initialized", true, now),
                PodCondition("ContainersReady", ready, now, runsToCompletion ? "PodCompleted" : ready ? null : "ContainersNotReady"),
                PodCondition("Ready", ready, now, runsToCompletion ? "PodCompleted" : ready ? null : "ContainersNotReady")),
            ["containerStatuses"] = new JsonArray([.. (spec["containers"]?.AsArray() ?? []).Select(c => ContainerStatus(c, runsToCompletion, exitCode))]),
        };
        if (spec["initContainers"] is JsonArray initContainers)
        {
            status["initContainerStatuses"] = new JsonArray([.. initContainers.Select(c => ContainerStatus(c, finished: true, exit: 0))]);
        }

        return status;
    }

    private static string? ReadyStatus(JsonNode? status) =>
        status?["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == "Ready")?["status"]?.GetValue<string>();

    private static JsonObject PodCondition(string type, bool status, string now, string? reason = null)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = status ? "True" : "False", ["lastTransitionTime"] = now };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        return condition;
    }

    private static JsonObject NodeCondition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["message"] = message,
        ["lastHeartbeatTime"] = now,
        ["lastTransitionTime"] = now,
    };

    // Returns false when the object already existed (a concurrent simulator or an earlier test made it).
    private async Task<bool> CreateIfAbsentAsync(string collection, JsonObject body, CancellationToken cancellationToken)
    {
        try
        {
            await cluster.Admin.CreateAsync(collection, body, cancellationToken);
            return true;
        }
        catch (KubernetesApiException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    // Stable per Pod, spread over 10.244.0.0/16 like a CNI's pod range; collisions are harmless here.
    private static string PodIp(string uid)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(uid));
        return $"10.244.{hash[0]}.{1 + (hash[1] % 254)}";
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
}
