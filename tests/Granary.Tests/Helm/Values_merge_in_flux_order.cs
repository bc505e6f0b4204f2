using System.Text;
using System.Text.Json;
using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Values_merge_in_flux_order(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private static readonly TestChart Chart = new("demo", "0.1.0")
    {
        Files = new Dictionary<string, string>
        {
            ["values-prod.yaml"] = "greeting: from-values-file\nextra:\n  fromFile: file\n",
            ["templates/secret.yaml"] = """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: {{ .Release.Name }}-token
                stringData:
                  token: {{ .Values.apiToken | default "none" | quote }}
                """,
        },
    };

    [Fact]
    public async Task Values_files_then_values_from_in_order_then_inline_values()
    {
        Charts.Add(false, Chart);
        await ApplyRepositoryAsync();
        await CreateAsync("ConfigMap", "base", new() { ["values.yaml"] = "greeting: from-configmap\nreplicas: 0\nextra:\n  fromConfigMap: cm\n  overridden: first\n" });
        await CreateAsync("ConfigMap", "more", new() { ["custom"] = "extra:\n  overridden: second\n" });
        await CreateAsync("Secret", "token", new() { ["token"] = "tok-9f8e7d6c5b" });
        await CreateAsync("ConfigMap", "flat", new() { ["port"] = "8080" });

        var status = await ApplyReleaseAsync("app", "0.1.0", spec => spec with
        {
            Chart = spec.Chart! with { Spec = spec.Chart.Spec with { ValuesFiles = ["values.yaml", "values-prod.yaml"] } },
            ValuesFrom =
            [
                new HelmValuesReference { Kind = "ConfigMap", Name = "base" },
                new HelmValuesReference { Kind = "Secret", Name = "token", ValuesKey = "token", TargetPath = "apiToken" },
                new HelmValuesReference { Kind = "ConfigMap", Name = "more", ValuesKey = "custom" },
                new HelmValuesReference { Kind = "ConfigMap", Name = "flat", ValuesKey = "port", TargetPath = "extra.port" },
                new HelmValuesReference { Kind = "ConfigMap", Name = "absent", Optional = true },
            ],
            Values = Values("""{"extra": {"inline": "yes-inline"}}"""),
        });

        Assert.True(status.IsReady, Why(status));
        var data = (await ConfigMapDataAsync("app-settings"))!;
        Assert.Equal("from-configmap", data["greeting"]!.GetValue<string>());
        Assert.Equal("file", data["fromFile"]!.GetValue<string>());
        Assert.Equal("cm", data["fromConfigMap"]!.GetValue<string>());
        Assert.Equal("second", data["overridden"]!.GetValue<string>());
        Assert.Equal("8080", data["port"]!.GetValue<string>());
        Assert.Equal("yes-inline", data["inline"]!.GetValue<string>());
        var secret = await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Namespace}/secrets/app-token");
        Assert.Equal("tok-9f8e7d6c5b", Encoding.UTF8.GetString(Convert.FromBase64String(secret!["data"]!["token"]!.GetValue<string>())));

        // The Secret's value is in neither the events nor the stored manifest.
        var events = await ReleaseEventsAsync("app");
        Assert.DoesNotContain("tok-9f8e7d6c5b", string.Join("\n", events.Select(e => JsonSerializer.Serialize(e, e.GetType()))));
        var manifest = Encoding.UTF8.GetString((await Silo.Silo.EventStore.Blobs.GetAsync(events.OfType<ReleaseInstalled>().Single().Content.ManifestDigest))!);
        Assert.Contains("app-token", manifest);
        Assert.DoesNotContain("tok-9f8e7d6c5b", manifest);
        Assert.Contains("sha256:", manifest);
    }

    [Fact]
    public async Task Inline_values_win_over_values_from()
    {
        Charts.Add(false, Chart);
        await ApplyRepositoryAsync();
        await CreateAsync("ConfigMap", "base", new() { ["values.yaml"] = "greeting: from-configmap\n" });

        var status = await ApplyReleaseAsync("app", "0.1.0", spec => spec with
        {
            ValuesFrom = [new HelmValuesReference { Kind = "ConfigMap", Name = "base" }],
            Values = Values("""{"greeting": "from-inline"}"""),
        });

        Assert.True(status.IsReady, Why(status));
        Assert.Equal("from-inline", (await ConfigMapDataAsync("app-settings"))!["greeting"]!.GetValue<string>());
    }

    [Fact]
    public async Task Changed_values_upgrade_and_the_same_values_reuse_the_render()
    {
        Charts.Add(false, Chart);
        await ApplyRepositoryAsync();
        await CreateAsync("ConfigMap", "base", new() { ["values.yaml"] = "greeting: one\n" });
        HelmReleaseSpec From(HelmReleaseSpec spec) => spec with { ValuesFrom = [new HelmValuesReference { Kind = "ConfigMap", Name = "base" }] };
        Assert.True((await ApplyReleaseAsync("app", "0.1.0", From)).IsReady);
        var renders = Environment.Renders.Misses;

        await Release("app").ReconcileAsync();
        Assert.Equal(renders, Environment.Renders.Misses);
        Assert.True(Environment.Renders.Hits > 0);

        await Cluster.Admin.PatchAsync($"/api/v1/namespaces/{Namespace}/configmaps/base", new System.Text.Json.Nodes.JsonObject
        {
            ["data"] = new System.Text.Json.Nodes.JsonObject { ["values.yaml"] = "greeting: two\n" },
        });
        var upgraded = await Release("app").ReconcileAsync();

        Assert.Equal(2, upgraded.LastRelease);
        Assert.Equal("two", (await ConfigMapDataAsync("app-settings"))!["greeting"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_values_source_names_the_entry_and_the_fix()
    {
        Charts.Add(false, Chart);
        await ApplyRepositoryAsync();

        var status = await ApplyReleaseAsync("app", "0.1.0", spec => spec with
        {
            ValuesFrom = [new HelmValuesReference { Kind = "Secret", Name = "nowhere" }],
        });

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("InitFailed", ready.Reason);
        Assert.Contains($"spec.valuesFrom[0]: Secret {Namespace}/nowhere not found", ready.Message);
        Assert.Contains("optional: true", ready.Message);
        Assert.Null(status.LastRelease);
    }

    [Fact]
    public async Task A_missing_values_file_names_the_file()
    {
        Charts.Add(false, Chart);
        await ApplyRepositoryAsync();

        var status = await ApplyReleaseAsync("app", "0.1.0", spec => spec with
        {
            Chart = spec.Chart! with { Spec = spec.Chart.Spec with { ValuesFiles = ["values-staging.yaml"] } },
        });

        Assert.Contains("'values-staging.yaml' is not in chart demo 0.1.0", status.Conditions.Single(c => c.Type == "Ready").Message);
    }
}
