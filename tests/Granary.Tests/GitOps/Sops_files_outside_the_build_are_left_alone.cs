using System.Text;
using Granary.Tests.Kubernetes.Infrastructure;
using Granary.Tests.Sops;

namespace Granary.Tests.GitOps;

/// <summary>
/// As in Flux, only the SOPS files a build loads must decrypt: one repository may hold every environment's secrets, each
/// encrypted for its own key (examples/ keeps its operator token beside layers that have no decryption).
/// </summary>
public sealed class Sops_files_outside_the_build_are_left_alone(LocalKubernetes kubernetes) : GitOpsTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private const string Kustomize = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n";

    [Fact]
    public async Task A_build_without_decryption_ignores_a_sops_secret_of_another_path()
    {
        var (_, recipient) = AgeTools.GenerateKey();
        Repository.Commit(new Dictionary<string, string>
        {
            ["secrets/db.yaml"] = SopsTestEncryptor.Encrypt("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: elsewhere\n", recipient).ToJsonString(),
            ["apps/kustomization.yaml"] = Kustomize + "  - settings.yaml\n",
            ["apps/settings.yaml"] = ConfigMap("settings", "one"),
        });
        await ApplySourceAsync();

        var status = await ApplyKustomizationAsync("apps", "./apps");

        Assert.True(status.IsReady, string.Join("; ", status.Conditions.Select(c => c.Message)));
        Assert.Equal("one", await ConfigMapValueAsync("settings"));
    }

    [Fact]
    public async Task A_build_decrypts_its_own_secret_while_another_environments_key_is_missing()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var (_, otherRecipient) = AgeTools.GenerateKey();
        Repository.Commit(new Dictionary<string, string>
        {
            ["production/db.yaml"] = SopsTestEncryptor.Encrypt("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: production\n", otherRecipient).ToJsonString(),
            ["staging/kustomization.yaml"] = Kustomize + "  - db.yaml\n",
            ["staging/db.yaml"] = SopsTestEncryptor.Encrypt("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: staging\n", recipient).ToJsonString(),
        });
        await CreateAgeKeySecretAsync(keyFile);
        await ApplySourceAsync();

        var status = await ApplyKustomizationAsync("staging", "./staging", WithSopsDecryption);

        Assert.True(status.IsReady, string.Join("; ", status.Conditions.Select(c => c.Message)));
        var secret = await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Namespace}/secrets/db");
        Assert.Equal("staging", Encoding.UTF8.GetString(Convert.FromBase64String(secret!["data"]!["password"]!.GetValue<string>())));
    }
}
