using System.Net;
using System.Text.Json.Nodes;

namespace Granary.Tests.Host;

public sealed class Invalid_apply_bodies_apply_nothing : HostTestBase
{
    [Fact]
    public async Task Every_invalid_document_is_reported_with_file_kind_name_and_field_and_the_valid_one_is_not_applied()
    {
        var yaml = $"""
            {GitRepositoryYaml("fleet")}
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: apps
              namespace: {Ns}
            spec:
              sourceRef:
                kind: GitRepository
                name: fleet
              path: ./apps
              intervall: 10m
              prune: true
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: infra
              namespace: {Ns}
            spec:
              sourceRef:
                kind: GitRepository
                name: fleet
              interval: soon
              prune: true
            """;

        using var response = await ApplyAsync(Admin, yaml, source: "clusters/prod/flux.yaml");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Invalid", body["reason"]!.GetValue<string>());
        Assert.Contains("nothing was applied", body["message"]!.GetValue<string>());
        var errors = body["errors"]!.AsArray();
        Assert.Equal(2, errors.Count);
        var apps = errors.Single(e => e!["name"]!.GetValue<string>() == $"{Ns}/apps")!;
        Assert.Equal("clusters/prod/flux.yaml", apps["source"]!.GetValue<string>());
        Assert.Equal(2, apps["document"]!.GetValue<int>());
        Assert.Equal("Kustomization", apps["kind"]!.GetValue<string>());
        Assert.Equal("spec.intervall", apps["field"]!.GetValue<string>());
        Assert.Contains("unknown field", apps["message"]!.GetValue<string>());
        Assert.Contains("interval", apps["message"]!.GetValue<string>());
        var infra = errors.Single(e => e!["name"]!.GetValue<string>() == $"{Ns}/infra")!;
        Assert.Equal(3, infra["document"]!.GetValue<int>());
        Assert.Equal("spec.interval", infra["field"]!.GetValue<string>());
        Assert.StartsWith($"clusters/prod/flux.yaml (document 3) Kustomization {Ns}/infra: spec.interval:", infra["error"]!.GetValue<string>());

        using var fleet = await Reader.GetAsync(ResourcePath("GitRepository", "fleet"));
        Assert.Equal(HttpStatusCode.NotFound, fleet.StatusCode);
        Assert.Empty((await GetJsonAsync("/api/v1/resources"))["items"]!.AsArray());
        using var export = await Reader.GetAsync("/api/v1/audit/events");
        Assert.Equal(string.Empty, await export.Content.ReadAsStringAsync());
        Assert.Equal(0, (await GetJsonAsync("/api/v1/audit/verify"))["streams"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_document_without_a_name_or_of_an_unknown_kind_is_refused()
    {
        var yaml = """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata:
              namespace: flux-system
            spec:
              url: https://example.com/fleet.git
              interval: 1m
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            """;

        using var response = await ApplyAsync(Admin, yaml);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsArray();
        Assert.Contains(errors, e => e!["field"]!.GetValue<string>() == "metadata.name" && e["kind"]!.GetValue<string>() == "GitRepository");
        Assert.Contains(errors, e => e!["field"]!.GetValue<string>() == "kind" && e["kind"]!.GetValue<string>() == "ConfigMap");
    }

    [Fact]
    public async Task The_same_resource_twice_in_one_body_is_refused()
    {
        using var response = await ApplyAsync(Admin, $"{GitRepositoryYaml("fleet")}\n---\n{GitRepositoryYaml("fleet", "5m")}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("appears more than once", await response.Content.ReadAsStringAsync());
        using var fleet = await Reader.GetAsync(ResourcePath("GitRepository", "fleet"));
        Assert.Equal(HttpStatusCode.NotFound, fleet.StatusCode);
    }
}
