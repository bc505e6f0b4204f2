using Granary.Grains.Kubernetes.Manifests;

namespace Granary.Tests.Kubernetes;

/// <summary>Rendered YAML becomes JSON objects with YAML 1.2 typing; bad documents are named by index and field.</summary>
public sealed class Manifests_are_read_from_multi_document_YAML
{
    [Fact]
    public void Documents_lists_and_scalars_are_read_as_kustomize_reads_them()
    {
        var objects = ManifestReader.Parse("""
            # leading comment
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a}
            data: {on: yes, quoted: "1", flag: "true"}
            spec: {replicas: 2, ratio: 0.5, none: null, enabled: true}
            ---
            ---
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Secret, metadata: {name: b}}
            """);

        Assert.Equal(["a", "b"], objects.Select(o => (string?)o["metadata"]!["name"]));
        Assert.Equal("yes", (string?)objects[0]["data"]!["on"]);
        Assert.Equal("1", (string?)objects[0]["data"]!["quoted"]);
        Assert.Equal(2, (long)objects[0]["spec"]!["replicas"]!);
        Assert.Equal(0.5, (double)objects[0]["spec"]!["ratio"]!);
        Assert.True((bool)objects[0]["spec"]!["enabled"]!);
        Assert.Null(objects[0]["spec"]!["none"]);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: b}\n", "document 2 of app.yaml (line 5) has no apiVersion")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: x}\n", "document 1 of app.yaml (line 1) (ConfigMap) has no metadata.name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: 1, k: 2}\n", "app.yaml is not valid YAML at line 4")]
    [InlineData("- just\n- a list\n", "document 1 of app.yaml (line 1) is a Sequence, not a mapping")]
    [InlineData("apiVersion: v1\nkind: [\n", "app.yaml is not valid YAML at line")]
    public void A_bad_document_is_named_with_its_index_and_field(string yaml, string expected)
    {
        var error = Assert.Throws<ManifestException>(() => ManifestReader.Parse(yaml, "app.yaml"));

        Assert.Contains(expected, error.Message);
    }
}
