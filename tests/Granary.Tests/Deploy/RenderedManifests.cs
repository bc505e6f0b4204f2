using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Manifests;
using Granary.Testing;

namespace Granary.Tests.Deploy;

/// <summary>The deploy manifests as the real tools render them: every Kustomize overlay (<c>kubectl kustomize</c>) and the Helm chart (<c>helm template</c>).</summary>
internal static class RenderedManifests
{
    /// <summary>The namespace every rendering puts the silos in.</summary>
    public const string Namespace = "granary-system";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The Kustomize overlays under <c>deploy/kubernetes/overlays</c>, by directory name.</summary>
    public static IReadOnlyList<string> Overlays { get; } =
        Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes", "overlays")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    /// <summary>The chart's directory.</summary>
    public static string Chart => Path.Combine(RepositoryRoot.Path, "deploy", "helm", "granary");

    /// <summary>Renders one overlay with <c>kubectl kustomize</c>.</summary>
    public static async Task<IReadOnlyList<JsonObject>> OverlayAsync(string overlay)
    {
        var yaml = await DeployCommand.RunCheckedAsync(Tools.Kubectl, ["kustomize", Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes", "overlays", overlay)], Timeout);
        return ManifestReader.Parse(yaml, $"overlays/{overlay}");
    }

    /// <summary>Renders the chart with <c>helm template</c> into <see cref="Namespace"/> with the given <c>--set</c> values.</summary>
    public static async Task<IReadOnlyList<JsonObject>> ChartAsync(params string[] values)
    {
        var arguments = new List<string> { "template", "granary", Chart, "--namespace", Namespace };
        foreach (var value in values)
        {
            arguments.Add("--set");
            arguments.Add(value);
        }

        var yaml = await DeployCommand.RunCheckedAsync(Tools.Helm, arguments, Timeout);
        return ManifestReader.Parse(yaml, $"helm template {string.Join(' ', values)}");
    }

    /// <summary>Every rendering the tests check, named.</summary>
    public static async Task<IReadOnlyList<(string Name, IReadOnlyList<JsonObject> Objects)>> AllAsync()
    {
        var all = new List<(string, IReadOnlyList<JsonObject>)>();
        foreach (var overlay in Overlays)
        {
            all.Add(($"overlays/{overlay}", await OverlayAsync(overlay)));
        }

        all.Add(("chart (defaults)", await ChartAsync()));
        all.Add(("chart (external postgres)", await ChartAsync("postgres.mode=external")));
        all.Add(("chart (everything on)", await ChartAsync("rbac.clusterWide=true", "serviceMonitor.enabled=true")));
        return all;
    }

    /// <summary>kind/name of an object, for messages and comparisons.</summary>
    public static string Id(JsonObject o) => $"{o["kind"]}/{o["metadata"]?["name"]}";

    /// <summary>The single object of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public static JsonObject Single(IReadOnlyList<JsonObject> objects, string kind, string name) =>
        objects.SingleOrDefault(o => (string?)o["kind"] == kind && (string?)o["metadata"]?["name"] == name)
        ?? throw new Xunit.Sdk.XunitException($"no {kind}/{name} among {string.Join(", ", objects.Select(Id))}");
}
