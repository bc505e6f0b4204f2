using System.Net;

namespace Granary.Tests.Host;

public sealed class Api_tokens_are_checked_by_role : HostTestBase
{
    [Fact]
    public async Task No_token_or_an_unknown_token_is_401_and_names_no_token_value()
    {
        using var anonymous = await Anonymous.GetAsync("/api/v1/resources");
        using var stranger = Client("not-a-token-of-this-silo-at-all");
        using var unknown = await stranger.GetAsync("/api/v1/resources");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        var body = await unknown.Content.ReadAsStringAsync();
        Assert.Contains("\"reason\":\"Unauthorized\"", body);
        Assert.DoesNotContain(AdminToken, body);
        Assert.DoesNotContain("not-a-token-of-this-silo-at-all", body);
    }

    [Fact]
    public async Task A_read_token_reads_but_gets_403_for_every_change()
    {
        using var list = await Reader.GetAsync("/api/v1/resources");
        using var apply = await ApplyAsync(Reader, GitRepositoryYaml("fleet"));
        using var suspend = await Reader.PostAsync(ResourcePath("GitRepository", "fleet", "suspend"), null);
        using var reconcile = await Reader.PostAsync(ResourcePath("GitRepository", "fleet", "reconcile"), null);
        using var delete = await Reader.DeleteAsync(ResourcePath("GitRepository", "fleet"));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, apply.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, suspend.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, reconcile.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Contains("token 'reader' has role read; this request needs admin", await apply.Content.ReadAsStringAsync());
        using var get = await Reader.GetAsync(ResourcePath("GitRepository", "fleet"));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task An_admin_token_applies_and_reads_and_is_recorded_as_the_actor()
    {
        using var apply = await ApplyAsync(Admin, GitRepositoryYaml("fleet"));
        using var audit = await Admin.GetAsync("/api/v1/audit/verify");

        Assert.Equal(HttpStatusCode.OK, apply.StatusCode);
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        var history = await GetJsonAsync(ResourcePath("GitRepository", "fleet", "history"));
        Assert.Equal("admin", history["items"]![0]!["actor"]!.GetValue<string>());
    }

    [Fact]
    public async Task Probes_and_metrics_need_no_token()
    {
        using var healthz = await Anonymous.GetAsync("/healthz");
        using var readyz = await Anonymous.GetAsync("/readyz");
        using var metrics = await Anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
        Assert.Contains("\"postgres\":\"ok\"", await readyz.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }
}
