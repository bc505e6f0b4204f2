using Granary.Grains.Kubernetes.Apply;
using Granary.Grains.Kubernetes.Objects;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Kubernetes;

/// <summary>A CRD and objects of its kind in one apply: the CRD goes first, is waited for until Established, then its objects apply.</summary>
public sealed class Apply_installs_a_CRD_and_its_custom_resources_together(LocalKubernetes kubernetes) : IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task The_custom_resource_is_created_after_its_definition_is_established()
    {
        await using var ns = await kubernetes.Cluster.CreateNamespaceAsync("crd");
        using var client = Manifests.Client(kubernetes.Cluster);
        var group = $"g{Guid.NewGuid():N}"[..12] + ".granary.dev";
        // The custom resource comes first in the file: the engine's stages, not the file order, decide.
        var objects = Manifests.Yaml($"""
            apiVersion: {group}/v1
            kind: Widget
            metadata:
              name: first
              namespace: {ns}
            spec:
              size: 3
            ---
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.{group}
            spec:
              group: {group}
              scope: Namespaced
              names: {"{"}plural: widgets, singular: widget, kind: Widget{"}"}
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        properties:
                          size: {"{"}type: integer{"}"}
            """);

        var result = await Manifests.ApplyAsync(client, objects);

        Assert.Equal(ChangeAction.Created, result.ChangeSet.For(new ObjectReference("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", $"widgets.{group}"))?.Action);
        Assert.Equal(ChangeAction.Created, result.ChangeSet.For(new ObjectReference($"{group}/v1", "Widget", ns.Name, "first"))?.Action);
        var widget = await kubernetes.Cluster.Admin.GetAsync($"/apis/{group}/v1/namespaces/{ns}/widgets/first");
        Assert.Equal(3, (int?)widget!["spec"]!["size"]);
        Assert.Contains($"{ns}_first_{group}_Widget", result.Inventory.Entries.Select(e => e.Id));
        await kubernetes.Cluster.Admin.DeleteAsync($"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{group}");
    }
}
