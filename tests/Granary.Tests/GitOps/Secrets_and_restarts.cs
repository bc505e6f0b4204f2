using System.Text;
using System.Text.Json.Nodes;
using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Testing;
using Granary.Tests.Kubernetes.Infrastructure;
using Granary.Tests.Sops;
using Npgsql;

namespace Granary.Tests.GitOps;

public sealed class Secrets_and_restarts(LocalKubernetes kubernetes) : GitOpsTestBase(kubernetes), IClassFixture<LocalKubernetes>
{
    private const string Plaintext = "hunter2-e2e-4d7f19";

    [Fact]
    public async Task A_sops_secret_arrives_decrypted_in_the_cluster_but_never_in_the_event_store()
    {
        var (keyFile, recipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt($"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {Plaintext}\n", recipient);
        Repository.Commit(new Dictionary<string, string> { ["apps/secret.yaml"] = encrypted.ToJsonString() });
        await CreateAgeKeySecretAsync(keyFile);
        await ApplySourceAsync();

        var status = await ApplyKustomizationAsync("apps", "./apps", WithSopsDecryption);

        Assert.True(status.IsReady, string.Join("; ", status.Conditions.Select(c => c.Message)));
        var secret = await Cluster.Admin.GetAsync($"/api/v1/namespaces/{Namespace}/secrets/db");
        Assert.Equal(Plaintext, Encoding.UTF8.GetString(Convert.FromBase64String(secret!["data"]!["password"]!.GetValue<string>())));
        Assert.Equal(0L, await CountRowsContainingAsync(Plaintext));
        Assert.Equal(0L, await CountRowsContainingAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Plaintext))));
    }

    [Fact]
    public async Task A_sops_secret_without_decryption_configured_fails_naming_the_fix()
    {
        var (_, recipient) = AgeTools.GenerateKey();
        var encrypted = SopsTestEncryptor.Encrypt($"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {Plaintext}\n", recipient);
        Repository.Commit(new Dictionary<string, string> { ["apps/secret.yaml"] = encrypted.ToJsonString() });
        await ApplySourceAsync();

        var status = await ApplyKustomizationAsync("apps", "./apps");

        var ready = status.Conditions.First(c => c.Type == "Ready");
        Assert.Equal("BuildFailed", ready.Reason);
        Assert.Contains("spec.decryption is not set", ready.Message);
        Assert.DoesNotContain(Plaintext, ready.Message);
    }

    [Fact]
    public async Task After_a_silo_restart_everything_resumes_from_the_log_without_reapplying()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "one") });
        await ApplySourceAsync();
        var before = await ApplyKustomizationAsync("apps", "./apps");
        var events = (await EventsAsync<object>("apps")).Count;

        await Silo.RestartAsync();
        var after = await KustomizationGrain("apps").ReconcileAsync();

        Assert.True(after.IsReady);
        Assert.Equal(before.LastAppliedRevision, after.LastAppliedRevision);
        Assert.Equal(before.Inventory, after.Inventory);
        Assert.Equal(events, (await EventsAsync<object>("apps")).Count);
        Assert.Single(await EventsAsync<Applied>("apps"));
    }

    [Fact]
    public async Task A_git_secretRef_is_read_from_the_cluster_and_a_missing_one_is_named()
    {
        Repository.Commit(new Dictionary<string, string> { ["apps/settings.yaml"] = ConfigMap("settings", "one") });

        var missing = await ApplySourceAsync(secretName: "git-auth");
        var ready = missing.Conditions.First(c => c.Type == "Ready");
        Assert.Equal("False", ready.Status);
        Assert.Contains($"spec.secretRef: Secret {Namespace}/git-auth does not exist", ready.Message);

        await Cluster.Admin.CreateAsync($"/api/v1/namespaces/{Namespace}/secrets", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "git-auth" },
            ["data"] = new JsonObject { ["username"] = Convert.ToBase64String("git"u8.ToArray()), ["password"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Plaintext)) },
        });
        var found = await Source.ReconcileAsync();

        Assert.True(found.IsReady, string.Join("; ", found.Conditions.Select(c => c.Message)));
        Assert.Equal(0L, await CountRowsContainingAsync(Plaintext));
    }

    [Fact]
    public async Task A_substitution_error_inside_a_secret_does_not_quote_the_secret()
    {
        Repository.Commit(new Dictionary<string, string>
        {
            ["apps/secret.yaml"] = $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: \"${{unclosed-{Plaintext}\"\n",
        });
        await ApplySourceAsync();

        var status = await ApplyKustomizationAsync("apps", "./apps", s => s with { PostBuild = new PostBuild { Substitute = new() { ["a"] = "b" } } });

        var ready = status.Conditions.First(c => c.Type == "Ready");
        Assert.Equal("BuildFailed", ready.Reason);
        Assert.Contains("post-build substitution failed", ready.Message);
        Assert.DoesNotContain(Plaintext, ready.Message);
        Assert.Equal(0L, await CountRowsContainingAsync(Plaintext));
    }

    private async Task<long> CountRowsContainingAsync(string text)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT (SELECT count(*) FROM {Silo.Schema}.events WHERE data::text LIKE '%' || $1 || '%') + (SELECT count(*) FROM {Silo.Schema}.snapshots WHERE data::text LIKE '%' || $1 || '%')", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = text });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
