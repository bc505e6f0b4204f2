using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Kubernetes.Health;

/// <summary>
/// kstatus's rules for when an object is healthy: Deployments, StatefulSets and DaemonSets rolled out, Jobs complete,
/// CRDs Established, PVCs bound, any object with a Ready condition Ready; everything else healthy once it exists. A
/// controller that has not observed the latest generation is always still in progress.
/// </summary>
public static class HealthRules
{
    /// <summary>The health of <paramref name="live"/>.</summary>
    public static HealthStatus Evaluate(JsonObject live)
    {
        var status = live["status"] as JsonObject;
        var generation = ObjectMetadata.Generation(live);
        if (status?["observedGeneration"] is { } observed && ObjectMetadata.Long(observed) < generation)
        {
            return HealthStatus.InProgress($"the controller has not observed generation {generation} yet (observed {ObjectMetadata.Long(observed)})");
        }

        var group = new ObjectReference((string?)live["apiVersion"] ?? "", (string?)live["kind"] ?? "", "", "x").Group;
        return (group, (string?)live["kind"]) switch
        {
            ("apps", "Deployment") => Deployment(live, status),
            ("apps", "StatefulSet") => StatefulSet(live, status),
            ("apps", "DaemonSet") => DaemonSet(status),
            ("batch", "Job") => Job(live),
            ("apiextensions.k8s.io", "CustomResourceDefinition") => Condition(live, "Established", "the CRD is not Established yet"),
            ("", "PersistentVolumeClaim") => (string?)status?["phase"] == "Bound" ? HealthStatus.Current() : HealthStatus.InProgress($"the claim is {(string?)status?["phase"] ?? "Pending"}, not Bound"),
            ("", "Pod") when (string?)status?["phase"] == "Succeeded" => HealthStatus.Current("the Pod succeeded"),
            _ => ObjectMetadata.Condition(live, "Ready") is not null ? Condition(live, "Ready", "not Ready") : HealthStatus.Current("exists"),
        };
    }

    private static HealthStatus Deployment(JsonObject live, JsonObject? status)
    {
        if (status?["observedGeneration"] is null)
        {
            return HealthStatus.InProgress("the Deployment controller has not reported status yet");
        }

        var progressing = ObjectMetadata.Condition(live, "Progressing");
        if ((string?)progressing?["reason"] == "ProgressDeadlineExceeded")
        {
            return HealthStatus.Failed($"progress deadline exceeded: {(string?)progressing!["message"]}");
        }

        var replicas = live["spec"]?["replicas"] is { } r ? ObjectMetadata.Long(r) : 1;
        var updated = ObjectMetadata.Long(status["updatedReplicas"]);
        var available = ObjectMetadata.Long(status["availableReplicas"]);
        var total = ObjectMetadata.Long(status["replicas"]);
        if (updated < replicas)
        {
            return HealthStatus.InProgress($"{updated} of {replicas} replicas are updated");
        }

        if (total > updated)
        {
            return HealthStatus.InProgress($"{total - updated} old replicas are pending termination");
        }

        if (available < updated)
        {
            var reason = ObjectMetadata.Condition(live, "Available") is { } condition && (string?)condition["status"] != "True"
                ? $": {(string?)condition["message"]}" : "";
            return HealthStatus.InProgress($"{available} of {updated} updated replicas are available{reason}");
        }

        return HealthStatus.Current($"{available} of {replicas} replicas available");
    }

    private static HealthStatus StatefulSet(JsonObject live, JsonObject? status)
    {
        if (status?["observedGeneration"] is null)
        {
            return HealthStatus.InProgress("the StatefulSet controller has not reported status yet");
        }

        var replicas = live["spec"]?["replicas"] is { } r ? ObjectMetadata.Long(r) : 1;
        var ready = ObjectMetadata.Long(status["readyReplicas"]);
        if (ready < replicas)
        {
            return HealthStatus.InProgress($"{ready} of {replicas} replicas are ready");
        }

        if ((string?)live["spec"]?["updateStrategy"]?["type"] != "OnDelete")
        {
            var partition = ObjectMetadata.Long(live["spec"]?["updateStrategy"]?["rollingUpdate"]?["partition"]);
            var updated = ObjectMetadata.Long(status["updatedReplicas"]);
            if (updated < replicas - partition)
            {
                return HealthStatus.InProgress($"{updated} of {replicas - partition} replicas are updated");
            }

            if (partition == 0 && (string?)status["currentRevision"] != (string?)status["updateRevision"])
            {
                return HealthStatus.InProgress($"the rollout to revision {(string?)status["updateRevision"]} is not complete");
            }
        }

        return HealthStatus.Current($"{ready} of {replicas} replicas ready");
    }

    private static HealthStatus DaemonSet(JsonObject? status)
    {
        if (status?["observedGeneration"] is null)
        {
            return HealthStatus.InProgress("the DaemonSet controller has not reported status yet");
        }

        var desired = ObjectMetadata.Long(status["desiredNumberScheduled"]);
        var updated = ObjectMetadata.Long(status["updatedNumberScheduled"]);
        var available = ObjectMetadata.Long(status["numberAvailable"]);
        if (updated < desired)
        {
            return HealthStatus.InProgress($"{updated} of {desired} scheduled Pods are updated");
        }

        return available < desired
            ? HealthStatus.InProgress($"{available} of {desired} scheduled Pods are available")
            : HealthStatus.Current($"{available} of {desired} Pods available");
    }

    private static HealthStatus Job(JsonObject live)
    {
        if (ObjectMetadata.Condition(live, "Failed") is { } failed && (string?)failed["status"] == "True")
        {
            return HealthStatus.Failed($"the Job failed: {(string?)failed["reason"]}: {(string?)failed["message"]}");
        }

        return ObjectMetadata.Condition(live, "Complete") is { } complete && (string?)complete["status"] == "True"
            ? HealthStatus.Current("the Job is complete")
            : HealthStatus.InProgress($"the Job is not complete ({ObjectMetadata.Long(live["status"]?["active"])} active, {ObjectMetadata.Long(live["status"]?["succeeded"])} succeeded)");
    }

    private static HealthStatus Condition(JsonObject live, string type, string otherwise)
    {
        var condition = ObjectMetadata.Condition(live, type);
        if ((string?)condition?["status"] == "True")
        {
            return HealthStatus.Current($"{type}");
        }

        var stalled = ObjectMetadata.Condition(live, "Stalled");
        if ((string?)stalled?["status"] == "True")
        {
            return HealthStatus.Failed($"Stalled: {(string?)stalled!["reason"]}: {(string?)stalled["message"]}");
        }

        return condition is null
            ? HealthStatus.InProgress(otherwise)
            : HealthStatus.InProgress($"{type} is {(string?)condition["status"]}: {(string?)condition["reason"]}: {(string?)condition["message"]}");
    }
}
