using System.Text.Json.Nodes;
using Granary.Testing;

namespace Granary.Tests.Deploy;

/// <summary>
/// Every Kustomize overlay and the Helm chart render (real kubectl kustomize and helm) into objects that are valid at the
/// schema level: known kinds, required fields, one namespace, selectors that match the silo Pods, and a hardened Pod.
/// </summary>
public sealed class Manifests_render_valid_objects
{
    /// <summary>apiVersion → the kinds this deployment may use with it.</summary>
    private static readonly Dictionary<string, string[]> KnownKinds = new()
    {
        ["v1"] = ["Namespace", "ServiceAccount", "ConfigMap", "Secret", "Service"],
        ["apps/v1"] = ["StatefulSet"],
        ["policy/v1"] = ["PodDisruptionBudget"],
        ["networking.k8s.io/v1"] = ["NetworkPolicy"],
        ["rbac.authorization.k8s.io/v1"] = ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
        ["monitoring.coreos.com/v1"] = ["ServiceMonitor"],
    };

    private static readonly string[] ClusterScoped = ["Namespace", "ClusterRole", "ClusterRoleBinding"];

    [Fact]
    public async Task Helm_lint_passes()
    {
        var lint = await DeployCommand.RunCheckedAsync(Tools.Helm, ["lint", RenderedManifests.Chart, "--strict"], TimeSpan.FromMinutes(1));
        Assert.Contains("0 chart(s) failed", lint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_object_has_a_known_kind_a_name_labels_and_the_granary_system_namespace()
    {
        foreach (var (rendering, objects) in await RenderedManifests.AllAsync())
        {
            Assert.NotEmpty(objects);
            foreach (var o in objects)
            {
                var apiVersion = (string?)o["apiVersion"] ?? throw new Xunit.Sdk.XunitException($"{rendering}: an object has no apiVersion");
                var kind = (string?)o["kind"];
                Assert.True(KnownKinds.TryGetValue(apiVersion, out var kinds) && kinds.Contains(kind), $"{rendering}: {apiVersion} {kind} is not a kind this deployment knows");
                var name = (string?)o["metadata"]?["name"];
                Assert.False(string.IsNullOrEmpty(name), $"{rendering}: a {kind} has no metadata.name");
                Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
                Assert.Equal(ClusterScoped.Contains(kind) ? null : RenderedManifests.Namespace, (string?)o["metadata"]?["namespace"]);
                Assert.True((string?)o["metadata"]?["labels"]?["app.kubernetes.io/name"] == "granary" || kind == "Namespace", $"{rendering}: {kind}/{name} lacks the label app.kubernetes.io/name=granary");
            }

            Assert.Equal(objects.Count, objects.Select(RenderedManifests.Id).Distinct().Count());
        }
    }

    [Fact]
    public async Task Services_and_the_PodDisruptionBudget_select_exactly_the_silo_Pods_of_the_StatefulSet()
    {
        foreach (var (rendering, objects) in await RenderedManifests.AllAsync())
        {
            var silos = RenderedManifests.Single(objects, "StatefulSet", "granary");
            var podLabels = silos["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
            var selector = silos["spec"]!["selector"]!["matchLabels"]!.AsObject();
            AssertSelects(rendering, "StatefulSet/granary spec.selector", selector, podLabels);
            Assert.Equal("granary-peers", (string?)silos["spec"]!["serviceName"]);
            Assert.Equal(3, (long)silos["spec"]!["replicas"]!);

            var api = RenderedManifests.Single(objects, "Service", "granary");
            AssertSelects(rendering, "Service/granary", api["spec"]!["selector"]!.AsObject(), podLabels);
            Assert.Equal("ClusterIP", (string?)api["spec"]!["type"]);
            Assert.Equal("http", (string?)api["spec"]!["ports"]![0]!["targetPort"]);

            var peers = RenderedManifests.Single(objects, "Service", "granary-peers");
            AssertSelects(rendering, "Service/granary-peers", peers["spec"]!["selector"]!.AsObject(), podLabels);
            Assert.Equal("None", (string?)peers["spec"]!["clusterIP"]);
            Assert.Equal("cluster", (string?)peers["spec"]!["ports"]![0]!["targetPort"]);

            var budget = RenderedManifests.Single(objects, "PodDisruptionBudget", "granary");
            Assert.Equal("policy/v1", (string?)budget["apiVersion"]);
            AssertSelects(rendering, "PodDisruptionBudget/granary", budget["spec"]!["selector"]!["matchLabels"]!.AsObject(), podLabels);

            // Only silos reach the silo-to-silo port; the API port is open.
            var policy = RenderedManifests.Single(objects, "NetworkPolicy", "granary-peers");
            AssertSelects(rendering, "NetworkPolicy/granary-peers", policy["spec"]!["podSelector"]!["matchLabels"]!.AsObject(), podLabels);
            var rules = policy["spec"]!["ingress"]!.AsArray();
            var peerRule = rules.Single(r => r!["ports"]!.AsArray().Any(p => (string?)p!["port"] == "cluster"))!;
            AssertSelects(rendering, "NetworkPolicy/granary-peers from", peerRule["from"]![0]!["podSelector"]!["matchLabels"]!.AsObject(), podLabels);
            Assert.Single(peerRule["from"]!.AsArray());
            var apiRule = rules.Single(r => r!["ports"]!.AsArray().Any(p => (string?)p!["port"] == "http"))!;
            Assert.Null(apiRule["from"]);
            var containerPorts = silos["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray().Select(p => (string?)p!["name"]).ToList();
            Assert.Contains("cluster", containerPorts);
            Assert.Contains("http", containerPorts);

            var antiAffinity = silos["spec"]!["template"]!["spec"]!["affinity"]!["podAntiAffinity"]!["preferredDuringSchedulingIgnoredDuringExecution"]![0]!["podAffinityTerm"]!;
            AssertSelects(rendering, "podAntiAffinity", antiAffinity["labelSelector"]!["matchLabels"]!.AsObject(), podLabels);

            // No other workload's Pods (the evaluation PostgreSQL) may match the silo selector.
            foreach (var other in objects.Where(o => (string?)o["kind"] == "StatefulSet" && o != silos))
            {
                var otherLabels = other["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
                Assert.False(selector.All(l => (string?)otherLabels[l.Key] == (string?)l.Value), $"{rendering}: the silo selector also selects {RenderedManifests.Id(other)}'s Pods");
            }

            if (objects.Any(o => (string?)o["kind"] == "ServiceMonitor"))
            {
                var monitor = RenderedManifests.Single(objects, "ServiceMonitor", "granary");
                AssertSelects(rendering, "ServiceMonitor/granary", monitor["spec"]!["selector"]!["matchLabels"]!.AsObject(), api["metadata"]!["labels"]!.AsObject());
                Assert.Equal("http", (string?)monitor["spec"]!["endpoints"]![0]!["port"]);
            }
        }
    }

    [Fact]
    public async Task The_silo_Pod_runs_as_non_root_with_a_read_only_root_no_capabilities_and_a_writable_tmp()
    {
        foreach (var (rendering, objects) in await RenderedManifests.AllAsync())
        {
            var pod = RenderedManifests.Single(objects, "StatefulSet", "granary")["spec"]!["template"]!["spec"]!;
            Assert.Equal("granary", (string?)pod["serviceAccountName"]);
            Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!, rendering);
            Assert.Equal(65532, (long)pod["securityContext"]!["runAsUser"]!);
            Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
            var container = pod["containers"]![0]!;
            Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!, rendering);
            Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
            Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c));
            var emptyDirs = pod["volumes"]!.AsArray().Where(v => v!["emptyDir"] is not null).Select(v => (string?)v!["name"]).ToHashSet();
            var mounts = container["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["mountPath"]!, m => (string?)m!["name"]);
            Assert.Contains(mounts["/tmp"], emptyDirs);
            Assert.Contains(mounts["/var/lib/granary"], emptyDirs);
            Assert.NotNull(container["resources"]!["requests"]!["memory"]);
            Assert.NotNull(container["resources"]!["limits"]!["memory"]);
            Assert.Equal("true", (string?)RenderedManifests.Single(objects, "StatefulSet", "granary")["spec"]!["template"]!["metadata"]!["annotations"]!["prometheus.io/scrape"]);
        }
    }

    [Fact]
    public async Task Role_bindings_grant_a_rendered_role_to_the_silo_service_account()
    {
        foreach (var (rendering, objects) in await RenderedManifests.AllAsync())
        {
            foreach (var binding in objects.Where(o => (string?)o["kind"] is "RoleBinding" or "ClusterRoleBinding"))
            {
                var roleRef = binding["roleRef"]!.AsObject();
                Assert.Equal(["apiGroup", "kind", "name"], roleRef.Select(p => p.Key).Order(StringComparer.Ordinal));
                RenderedManifests.Single(objects, (string)roleRef["kind"]!, (string)roleRef["name"]!);
                var subject = binding["subjects"]!.AsArray().Single()!;
                Assert.Equal(("ServiceAccount", "granary", RenderedManifests.Namespace), ((string?)subject["kind"], (string?)subject["name"], (string?)subject["namespace"]));
            }

            Assert.Contains(objects, o => (string?)o["kind"] == "RoleBinding");
            Assert.Equal(objects.Any(o => (string?)o["kind"] == "ClusterRole"), rendering.Contains("all", StringComparison.Ordinal) || rendering.Contains("everything", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_chart_and_the_overlays_render_the_same_kinds_and_names()
    {
        static string[] Names(IReadOnlyList<JsonObject> objects) =>
            objects.Where(o => (string?)o["kind"] != "Namespace").Select(RenderedManifests.Id).Order(StringComparer.Ordinal).ToArray();

        // helm installs into an existing namespace (--create-namespace), so the Namespace object is the overlays' only extra.
        Assert.Equal(Names(await RenderedManifests.OverlayAsync("evaluation")), Names(await RenderedManifests.ChartAsync()));
        Assert.Equal(Names(await RenderedManifests.OverlayAsync("production")), Names(await RenderedManifests.ChartAsync("postgres.mode=external")));
        Assert.Equal(Names(await RenderedManifests.OverlayAsync("evaluation-all")), Names(await RenderedManifests.ChartAsync("rbac.clusterWide=true", "serviceMonitor.enabled=true")));
    }

    [Fact]
    public async Task An_unknown_postgres_mode_is_refused_naming_the_value()
    {
        var result = await DeployCommand.RunAsync(Tools.Helm, ["template", "granary", RenderedManifests.Chart, "--set", "postgres.mode=embedded"], TimeSpan.FromMinutes(1));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("postgres.mode: \"embedded\" is not a mode; use evaluation or external", result.Error, StringComparison.Ordinal);
    }

    private static void AssertSelects(string rendering, string what, JsonObject selector, JsonObject labels)
    {
        Assert.NotEmpty(selector);
        foreach (var (key, value) in selector)
        {
            Assert.True((string?)labels[key] == (string?)value, $"{rendering}: {what} selects {key}={value}, but the silo Pods are labelled {labels.ToJsonString()}");
        }
    }
}
