using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Objects;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>Objects in a namespace the same apply creates: the Namespace is applied in the first stage, so they land in it.</summary>
public sealed class Apply_creates_a_Namespace_before_its_objects(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task A_Namespace_and_its_ConfigMap_and_Service_apply_together()
    {
        var name = $"fresh-{Guid.NewGuid():N}"[..18];
        using var client = Manifests.Client(kubernetes.Cluster);
        var objects = new[]
        {
            Manifests.ConfigMap(name, "settings"),
            Manifests.Service(name, "web"), // ports without protocol: v1.20 needs it defaulted for server-side apply
            Manifests.Yaml($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n")[0],
        };

        try
        {
            var result = await Manifests.ApplyAsync(client, objects);

            Assert.All(result.ChangeSet.Changes, c => Assert.Equal(ChangeAction.Created, c.Action));
            Assert.Equal(3, result.ChangeSet.Changes.Count);
            var map = await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{name}/configmaps/settings");
            Assert.Equal("apps", ObjectMetadata.Label(map!, "kustomize.toolkit.fluxcd.io/name"));
            Assert.Equal("flux-system", ObjectMetadata.Label(map!, "kustomize.toolkit.fluxcd.io/namespace"));
            var service = await kubernetes.Cluster.Admin.GetAsync($"/api/v1/namespaces/{name}/services/web");
            Assert.Equal("TCP", (string?)service!["spec"]!["ports"]![0]!["protocol"]);
        }
        finally
        {
            await kubernetes.Cluster.Admin.DeleteAsync($"/api/v1/namespaces/{name}");
        }
    }
}
