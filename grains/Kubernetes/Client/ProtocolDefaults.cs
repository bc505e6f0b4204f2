using System.Text.Json.Nodes;

namespace Granary.Grains.Kubernetes.Client;

/// <summary>
/// Server-side apply on servers older than 1.22 rejects ports that omit <c>protocol</c> ("associative list with keys has
/// an element that omits key field"), because protocol is a list-map key that defaulting fills in too late. Like Flux,
/// we write the default (TCP) into container, init container and Service ports before applying; on newer servers it is
/// what the server would default anyway.
/// </summary>
public static class ProtocolDefaults
{
    /// <summary>Sets protocol: TCP on every port without one in the object's pod template(s) or Service spec, in place.</summary>
    public static void Apply(JsonObject obj)
    {
        var kind = (string?)obj["kind"];
        switch (kind)
        {
            case "Service":
                DefaultPorts(obj["spec"]?["ports"]);
                break;
            case "Pod":
                DefaultPodSpec(obj["spec"]);
                break;
            case "CronJob":
                DefaultPodSpec(obj["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]);
                break;
            default:
                // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, ReplicationController, PodTemplate and custom
                // kinds shaped like them all keep the pod spec at spec.template.spec (PodTemplate at template.spec).
                DefaultPodSpec(obj["spec"]?["template"]?["spec"]);
                DefaultPodSpec(obj["template"]?["spec"]);
                break;
        }
    }

    private static void DefaultPodSpec(JsonNode? podSpec)
    {
        foreach (var list in new[] { "containers", "initContainers", "ephemeralContainers" })
        {
            foreach (var container in (podSpec?[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                DefaultPorts(container["ports"]);
            }
        }
    }

    private static void DefaultPorts(JsonNode? ports)
    {
        foreach (var port in (ports as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (port["protocol"] is null)
            {
                port["protocol"] = "TCP";
            }
        }
    }
}
