using Granary.Contracts.Resources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class Chart_crds_follow_helms_policy(LocalKubernetes kubernetes) : HelmTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private string Group => $"{Namespace}.granary.test";

    private TestChart Chart(string version) => new("demo", version)
    {
        Files = new Dictionary<string, string>
        {
            ["crds/widgets.yaml"] = $$"""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: widgets.{{Group}}
                spec:
                  group: {{Group}}
                  scope: Namespaced
                  names:
                    plural: widgets
                    singular: widget
                    kind: Widget
                  versions:
                    - name: v1
                      served: true
                      storage: true
                      schema:
                        openAPIV3Schema:
                          type: object
                          x-kubernetes-preserve-unknown-fields: true
                """,
            ["templates/widget.yaml"] = $$"""
                apiVersion: {{Group}}/v1
                kind: Widget
                metadata:
                  name: {{"{{"}} .Release.Name {{"}}"}}-widget
                spec:
                  size: {{"{{"}} .Values.replicas {{"}}"}}
                """,
        },
    };

    [Fact]
    public async Task Crds_are_created_on_install_kept_on_upgrade_and_uninstall()
    {
        Charts.Add(false, Chart("0.1.0"), Chart("0.2.0"));
        await ApplyRepositoryAsync();
        var crd = $"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{Group}";
        try
        {
            var installed = await ApplyReleaseAsync("web", "0.1.0");
            Assert.True(installed.IsReady, Why(installed));
            Assert.NotNull(await Cluster.Admin.GetAsync(crd));
            Assert.NotNull(await Cluster.Admin.GetAsync($"/apis/{Group}/v1/namespaces/{Namespace}/widgets/web-widget"));
            Assert.DoesNotContain(installed.Inventory, i => i.Contains("CustomResourceDefinition", StringComparison.Ordinal));

            var upgraded = await ApplyReleaseAsync("web", "0.2.0");
            Assert.True(upgraded.IsReady, Why(upgraded));
            Assert.NotNull(await Cluster.Admin.GetAsync(crd));

            await Release("web").DeleteAsync();
            Assert.Null(await Cluster.Admin.GetAsync($"/apis/{Group}/v1/namespaces/{Namespace}/widgets/web-widget"));
            Assert.NotNull(await Cluster.Admin.GetAsync(crd));
        }
        finally
        {
            await Cluster.Admin.DeleteAsync(crd);
        }
    }

    [Fact]
    public async Task Install_crds_Skip_leaves_them_out_and_the_custom_resource_fails_clearly()
    {
        Charts.Add(false, Chart("0.1.0"));
        await ApplyRepositoryAsync();

        var status = await ApplyReleaseAsync("web", "0.1.0", spec => spec with { Install = new HelmInstall { Crds = "Skip" } });

        Assert.Equal("InstallFailed", status.ReadyReason);
        Assert.Contains("Widget", status.Conditions.Single(c => c.Type == "Ready").Message);
    }
}
