using System.Text.Json.Nodes;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Deploy;

/// <summary>
/// The rendered manifests are accepted by a real API server (the local control plane, Kubernetes v1.20): server-side
/// dry-run, then apply. v1.20 predates policy/v1 (PodDisruptionBudget, Kubernetes 1.21) and has no ServiceMonitor CRD,
/// so those objects are validated by schema only (Manifests_render_valid_objects) and left out of the apply here.
/// </summary>
public sealed class Manifests_apply_to_a_v1_20_control_plane(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Evaluation_overlay_with_all_components_dry_runs_then_applies_and_the_chart_dry_runs_except_policy_v1_PDB_and_ServiceMonitor_which_v1_20_lacks()
    {
        var overlay = ServedByV1_20(await RenderedManifests.OverlayAsync("evaluation-all"));
        Assert.Contains(overlay, o => (string?)o["kind"] == "StatefulSet");

        // A server-side dry-run of a namespaced object needs its Namespace to exist, so the Namespace goes first, for real.
        await KubectlApplyAsync(overlay.Where(o => (string?)o["kind"] == "Namespace").ToList(), dryRun: false);
        await KubectlApplyAsync(overlay, dryRun: true);
        await KubectlApplyAsync(overlay, dryRun: false);

        foreach (var o in overlay)
        {
            var kind = (string)o["kind"]!;
            var name = (string)o["metadata"]!["name"]!;
            var arguments = new List<string> { "--kubeconfig", kubernetes.Cluster.KubeconfigPath, "get", kind, name, "-o", "name" };
            if (o["metadata"]!["namespace"] is { } ns)
            {
                arguments.AddRange(["--namespace", (string)ns!]);
            }

            await Eventually.WaitUntilAsync(async () => (await DeployCommand.RunAsync(Tools.Kubectl, arguments, Deadline)).ExitCode == 0, Deadline, $"{kind}/{name} to exist after apply");
        }

        // The chart's objects into the same namespace: the API server accepts them too (dry-run, so the overlay's stay).
        var chart = ServedByV1_20(await RenderedManifests.ChartAsync("rbac.clusterWide=true", "serviceMonitor.enabled=true"));
        await KubectlApplyAsync(chart, dryRun: true);
    }

    /// <summary>Leaves out what a v1.20 API server does not serve; the test name says which.</summary>
    private static List<JsonObject> ServedByV1_20(IReadOnlyList<JsonObject> objects)
    {
        var served = objects.Where(o => !((string?)o["apiVersion"] == "policy/v1" && (string?)o["kind"] == "PodDisruptionBudget") && (string?)o["apiVersion"] != "monitoring.coreos.com/v1").ToList();
        Assert.Equal(objects.Count - 2, served.Count);
        return served;
    }

    private async Task KubectlApplyAsync(List<JsonObject> objects, bool dryRun)
    {
        var list = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray(objects.Select(o => (JsonNode)o.DeepClone()).ToArray()) };
        var arguments = new List<string> { "--kubeconfig", kubernetes.Cluster.KubeconfigPath, "apply", "--server-side", "--force-conflicts", "--field-manager", "granary-deploy-test", "-f", "-" };
        if (dryRun)
        {
            arguments.Add("--dry-run=server");
        }

        await DeployCommand.RunCheckedAsync(Tools.Kubectl, arguments, Deadline, stdin: list.ToJsonString());
    }
}
