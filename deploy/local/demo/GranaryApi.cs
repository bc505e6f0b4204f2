using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Granary.Demo;

/// <summary>The few calls the demo makes to the silo's HTTP API: apply the root resources and list every resource.</summary>
public sealed class GranaryApi(Uri address, string token) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http = new()
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    /// <summary>POSTs multi-document YAML to <c>/api/v1/resources</c> (as <c>granary apply -f</c>); throws with the API's answer when refused.</summary>
    public async Task ApplyAsync(string yaml, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync("/api/v1/resources", new StringContent(yaml, Encoding.UTF8, "application/yaml"), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {address}api/v1/resources answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>Every resource of the list read model (<c>GET /api/v1/resources</c>).</summary>
    public async Task<IReadOnlyList<ResourceRow>> ListAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("/api/v1/resources", cancellationToken);
        response.EnsureSuccessStatusCode();
        var list = await response.Content.ReadFromJsonAsync<ResourceList>(Json, cancellationToken);
        return list?.Items ?? [];
    }

    /// <inheritdoc />
    public void Dispose() => http.Dispose();

    private sealed record ResourceList(List<ResourceRow> Items);
}

/// <summary>One row of the resource list, the fields the demo shows.</summary>
public sealed record ResourceRow(string Kind, string Namespace, string Name, string Ready, string? Reason, string? Message, bool Suspended, string? Revision, string? Cluster)
{
    /// <summary>Whether its Ready condition is True.</summary>
    public bool IsReady => Ready == "True";

    /// <summary><c>Kind namespace/name</c>.</summary>
    public string Id => $"{Kind} {Namespace}/{Name}";
}
