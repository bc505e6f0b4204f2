using System.Net;
using System.Net.Http.Headers;

namespace Granary.Tests.Host.Webhooks;

public sealed class Generic_receivers_take_the_secret_as_a_bearer_token : WebhookTestBase
{
    [Fact]
    public async Task A_bearer_secret_reconciles_the_sources_that_exist_and_names_those_that_do_not()
    {
        await ApplyFleetAsync();

        await FetchesNewCommitAsync(async () =>
        {
            using var response = await DeliverAsync("generic", string.Empty, new Dictionary<string, string>(), new AuthenticationHeaderValue("Bearer", GenericSecret));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal([$"GitRepository {Ns}/fleet"], await ResourcesIn(response, "triggered"));
            Assert.Equal([$"HelmRepository {Ns}/charts"], await ResourcesIn(response, "missing"));
        });

        Assert.Equal(["webhook:generic"], await ReconcileRequestersAsync());
    }
}
