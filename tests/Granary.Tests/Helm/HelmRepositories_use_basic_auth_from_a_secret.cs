using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Testing.Helm;
using Granary.Tests.Kubernetes.Infrastructure;

namespace Granary.Tests.Helm;

public sealed class HelmRepositories_use_basic_auth_from_a_secret(LocalKubernetes kubernetes)
    : HelmTestBase(kubernetes, ("reader", "s3cr3t-password")), IClassFixture<LocalKubernetes>
{
    [Fact]
    public async Task Without_credentials_the_error_says_to_set_secretRef()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));

        var status = await ApplyRepositoryAsync();

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("AuthenticationFailed", ready.Reason);
        Assert.Contains("spec.secretRef", ready.Message);
    }

    [Fact]
    public async Task Credentials_from_the_secret_fetch_index_and_chart_and_never_appear_in_events()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await CreateAsync("Secret", "repo-auth", new() { ["username"] = "reader", ["password"] = "s3cr3t-password" });

        var status = await ApplyRepositoryAsync(spec => spec with { SecretRef = new LocalObjectReference { Name = "repo-auth" } });
        var chart = await Repository().GetChartAsync("demo", "0.1.0");

        Assert.True(status.IsReady, string.Join("; ", status.Conditions.Select(c => c.Message)));
        Assert.Equal("0.1.0", chart.Version);
        var events = string.Join("\n", (await RepositoryEventsAsync()).Select(e => System.Text.Json.JsonSerializer.Serialize(e, e.GetType())));
        Assert.DoesNotContain("s3cr3t-password", events);
    }

    [Fact]
    public async Task Wrong_credentials_are_reported_without_their_values()
    {
        Charts.Add(false, new TestChart("demo", "0.1.0"));
        await CreateAsync("Secret", "repo-auth", new() { ["username"] = "reader", ["password"] = "wrong-password-value" });

        var status = await ApplyRepositoryAsync(spec => spec with { SecretRef = new LocalObjectReference { Name = "repo-auth" } });

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal("AuthenticationFailed", ready.Reason);
        Assert.Contains("refused the credentials", ready.Message);
        Assert.DoesNotContain("wrong-password-value", ready.Message);
    }

    [Fact]
    public async Task A_missing_secret_names_it_and_the_keys_to_add()
    {
        var status = await ApplyRepositoryAsync(spec => spec with { SecretRef = new LocalObjectReference { Name = "absent" } });

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Contains($"Secret {Namespace}/absent does not exist", ready.Message);
        Assert.Contains("username and password", ready.Message);
    }
}
