using System.Text.Json.Nodes;
using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Drift;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>A change someone made by hand (kubectl edit) shows up as drift at its JSON path, and the next apply reverts it.</summary>
public sealed class Drift_is_reported_by_path(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task An_edited_replica_count_and_image_are_reported_and_corrected()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("drift");
        using var client = Manifests.Client(kubernetes.Cluster);
        var manifests = new[] { Manifests.Deployment(ns.Name, "web", replicas: 0), Manifests.ConfigMap(ns.Name, "untouched") };
        var first = await Manifests.ApplyAsync(client, manifests);
        var detector = new DriftDetector(client);
        Assert.Empty(await detector.DetectAsync(Manifests.Owner(), manifests, CancellationToken.None));

        // What kubectl edit sends: a patch under its own field manager.
        await kubernetes.Cluster.Admin.PatchAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web?fieldManager=kubectl-edit", new JsonObject
        {
            ["spec"] = new JsonObject { ["replicas"] = 3 },
        });
        using var edit = await kubernetes.Cluster.Admin.Http.PatchAsync($"/apis/apps/v1/namespaces/{ns}/deployments/web?fieldManager=kubectl-edit",
            new StringContent("""[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:edited"}]""", System.Text.Encoding.UTF8, "application/json-patch+json"));
        edit.EnsureSuccessStatusCode();

        var drift = Assert.Single(await detector.DetectAsync(Manifests.Owner(), manifests, CancellationToken.None));

        Assert.Equal($"Deployment {ns}/web", drift.Object.ToString());
        Assert.Contains(".spec.replicas", drift.Paths);
        Assert.Contains(".spec.template.spec.containers[0].image", drift.Paths);
        var corrected = await Manifests.ApplyAsync(client, manifests, first.Inventory);
        Assert.Equal(ChangeAction.Configured, corrected.ChangeSet.Changes.Single(c => c.Object.Kind == "Deployment").Action);
        Assert.Equal(ChangeAction.Unchanged, corrected.ChangeSet.Changes.Single(c => c.Object.Kind == "ConfigMap").Action);
        Assert.Empty(await detector.DetectAsync(Manifests.Owner(), manifests, CancellationToken.None));
    }
}
