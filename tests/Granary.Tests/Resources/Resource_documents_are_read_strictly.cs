using Granary.Contracts.Resources;
using Granary.Grains.Resources;

namespace Granary.Tests.Resources;

public sealed class Resource_documents_are_read_strictly
{
    private const string Valid = """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata:
          name: fleet
          namespace: flux-system
          creationTimestamp: null
        spec:
          url: https://example.com/fleet.git
          interval: 1m
          ref:
            branch: main
          ignore: |
            /docs
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: apps
          namespace: flux-system
        spec:
          interval: 10m
          retryInterval: 1m30s
          path: ./apps
          prune: true
          wait: true
          sourceRef:
            kind: GitRepository
            name: fleet
          dependsOn:
            - name: infrastructure
          postBuild:
            substitute:
              cluster_env: "prod"
            substituteFrom:
              - kind: ConfigMap
                name: cluster-vars
                optional: true
        """;

    [Fact]
    public void A_flux_repository_file_reads_into_typed_resources()
    {
        var result = ResourceParser.Parse(Valid, "clusters/prod/flux.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var git = Assert.IsType<GitRepository>(result.Resources[0]);
        Assert.Equal(("flux-system/fleet", "main", TimeSpan.FromMinutes(1)), (git.Key, git.Spec.Ref!.Branch, git.Spec.Interval.Value));
        var kustomization = Assert.IsType<Kustomization>(result.Resources[1]);
        Assert.Equal(TimeSpan.FromSeconds(90), kustomization.Spec.RetryInterval!.Value.Value);
        Assert.True(kustomization.Spec.Prune);
        Assert.Equal("infrastructure", Assert.Single(kustomization.Spec.DependsOn!).Name);
        Assert.True(Assert.Single(kustomization.Spec.PostBuild!.SubstituteFrom!).Optional);
    }

    [Fact]
    public void An_unknown_field_is_named_with_the_fields_that_exist_there()
    {
        var error = SingleError(Valid.Replace("interval: 10m", "intervall: 10m", StringComparison.Ordinal));

        Assert.Equal(("Kustomization", "flux-system/apps", "spec.intervall"), (error.Kind, error.Name, error.Field));
        Assert.Contains("unknown field", error.Message);
        Assert.Contains("interval", error.Message);
        Assert.Contains("sourceRef", error.Message);
        Assert.Equal(2, error.Document);
        Assert.StartsWith("clusters/prod/flux.yaml (document 2) Kustomization flux-system/apps: spec.intervall: unknown field", error.ToString());
    }

    [Fact]
    public void A_bad_duration_names_the_field_and_shows_a_valid_one()
    {
        var error = SingleError(Valid.Replace("interval: 1m\n", "interval: 1x\n", StringComparison.Ordinal));

        Assert.Equal(("GitRepository", "spec.interval"), (error.Kind, error.Field));
        Assert.Contains("'1x' is not a duration", error.Message);
        Assert.Contains("10m", error.Message);
    }

    [Fact]
    public void A_missing_required_field_is_named()
    {
        var error = SingleError(Valid.Replace("  prune: true\n", string.Empty, StringComparison.Ordinal));
        Assert.Equal("spec.prune", error.Field);
        Assert.Contains("required field missing", error.Message);
    }

    [Fact]
    public void A_wrong_type_is_named()
    {
        var error = SingleError(Valid.Replace("prune: true", "prune: yes please", StringComparison.Ordinal));
        Assert.Equal("spec.prune", error.Field);
        Assert.Contains("expected true or false", error.Message);
    }

    [Fact]
    public void An_old_api_version_or_a_foreign_kind_is_refused_clearly()
    {
        var old = SingleError(Valid.Replace("source.toolkit.fluxcd.io/v1", "source.toolkit.fluxcd.io/v1beta2", StringComparison.Ordinal));
        Assert.Equal("apiVersion", old.Field);
        Assert.Contains("use source.toolkit.fluxcd.io/v1", old.Message);

        var foreign = SingleError("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n");
        Assert.Equal("kind", foreign.Field);
        Assert.Contains("not a Granary resource", foreign.Message);
    }

    [Fact]
    public void One_invalid_document_keeps_the_whole_file_from_being_applied()
    {
        var result = ResourceParser.Parse(Valid + "\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: broken\n", "f.yaml");
        Assert.Empty(result.Resources);
        Assert.Equal("spec", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Malformed_yaml_names_the_line()
    {
        var error = SingleError("apiVersion: v1\nkind: [unclosed\n");
        Assert.Contains("not valid YAML: line", error.Message);
    }

    [Fact]
    public void Duplicate_keys_and_alias_bombs_are_refused()
    {
        Assert.Contains("duplicate key", SingleError("apiVersion: a\napiVersion: b\n").Message, StringComparison.OrdinalIgnoreCase);

        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(1, 8).Select(i => $"{(char)('a' + i)}: &{(char)('a' + i)} [*{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}]\n"));
        Assert.Contains("more than", SingleError(bomb).Message);
    }

    private static ResourceError SingleError(string yaml)
    {
        var result = ResourceParser.Parse(yaml, "clusters/prod/flux.yaml");
        Assert.Empty(result.Resources);
        return Assert.Single(result.Errors);
    }
}
