using System.Net;
using System.Net.Http.Headers;
using Granary.Contracts.Events;
using Granary.Contracts.Resources;
using Granary.Contracts.Sources;
using Granary.Testing;
using Granary.Testing.Helm;

namespace Granary.Tests.Host.Webhooks;

public sealed class HelmRepositories_fetch_their_index_when_a_receiver_is_called : WebhookTestBase
{
    [Fact]
    public async Task A_delivery_fetches_the_new_index_recorded_as_the_webhook()
    {
        await using var charts = TestHelmRepository.Start();
        charts.Add(false, new TestChart("demo", "1.0.0"));
        var repository = Host.Silo.GrainFactory.Get<IHelmRepositoryGrain>($"{Ns}/charts");
        var first = await repository.ApplyAsync(new HelmRepository
        {
            ApiVersion = HelmRepository.Version,
            Kind = "HelmRepository",
            Metadata = new ObjectMetadata { Name = "charts", Namespace = Ns },
            Spec = new HelmRepositorySpec { Url = charts.Url, Interval = GoDuration.Parse("10m") },
        });
        Assert.True(first.IsReady);
        charts.Add(false, new TestChart("demo", "1.1.0"));

        using var response = await DeliverAsync("generic", string.Empty, new Dictionary<string, string>(), new AuthenticationHeaderValue("Bearer", GenericSecret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal([$"HelmRepository {Ns}/charts"], await ResourcesIn(response, "triggered"));
        Assert.Equal([$"GitRepository {Ns}/fleet"], await ResourcesIn(response, "missing"));
        await Eventually.WaitUntilAsync(async () => (await repository.GetStatusAsync()).Artifact?.Revision != first.Artifact!.Revision, Deadline, "charts fetched the index with demo 1.1.0");
        var requested = new List<string?>();
        await foreach (var recorded in Host.Silo.EventStore.ReadStreamAsync($"helmrepository/{Ns}/charts"))
        {
            if (recorded.Data is ReconcileRequested)
            {
                requested.Add(recorded.Actor);
            }
        }

        Assert.Equal(["webhook:generic"], requested);
    }
}
