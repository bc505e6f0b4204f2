using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Testing.Kubernetes;

namespace Granary.Testing.Host;

/// <summary>One <c>granary run</c> process of a <see cref="HostProcessCluster"/>, with clients for its HTTP API.</summary>
public sealed class HostProcess : IDisposable
{
    private readonly ChildProcess _process;

    internal HostProcess(ChildProcess process, string name, Uri api, string endpoint)
    {
        _process = process;
        Name = name;
        Api = api;
        Endpoint = endpoint;
        Admin = Client(api, HostProcessCluster.AdminToken);
        Reader = Client(api, HostProcessCluster.ReadToken);
    }

    /// <summary>The silo's name (as a StatefulSet names its Pods: granary-0, granary-1, …).</summary>
    public string Name { get; }

    /// <summary>Where its HTTP API listens.</summary>
    public Uri Api { get; }

    /// <summary>Where peers reach it (<c>GRANARY_POD_IP:cluster port</c>).</summary>
    public string Endpoint { get; }

    /// <summary>A client of the API with the admin token.</summary>
    public HttpClient Admin { get; }

    /// <summary>A client of the API with the read token.</summary>
    public HttpClient Reader { get; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines of the silo's log, for failure messages.</summary>
    public string LogTail(int lines = 40) => _process.LogTail(lines);

    /// <summary>Waits until <c>/readyz</c> answers 200 (PostgreSQL reachable, silo started and joined).</summary>
    public Task WaitReadyAsync(TimeSpan timeout) => _process.WaitUntilAsync(async () =>
    {
        try
        {
            using var response = await Reader.GetAsync("/readyz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }, timeout, "ready (/readyz)");

    /// <summary>GETs JSON from the API with the read token; throws naming the silo unless it answered 200.</summary>
    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Reader.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(body)!
            : throw new HostProcessCallException(Name, $"GET {path}", $"{(int)response.StatusCode} {body}");
    }

    /// <summary>POSTs <paramref name="yaml"/> to the apply endpoint with the admin token; throws naming the silo unless it succeeded.</summary>
    public async Task<JsonNode> ApplyAsync(string yaml)
    {
        using var response = await Admin.PostAsync("/api/v1/resources", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(body)!
            : throw new HostProcessCallException(Name, "apply", $"{(int)response.StatusCode} {body}");
    }

    /// <summary>POSTs to <paramref name="path"/> with the admin token (an action such as reconcile); throws naming the silo unless it succeeded.</summary>
    public async Task<JsonNode> PostAsync(string path)
    {
        using var response = await Admin.PostAsync(path, null);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(body)!
            : throw new HostProcessCallException(Name, $"POST {path}", $"{(int)response.StatusCode} {body}");
    }

    /// <summary>SIGKILL: the process dies at once, without leaving the cluster.</summary>
    public void Kill() => _process.Signal();

    /// <summary>SIGTERM, as the kubelet sends when a Pod is deleted: the silo leaves gracefully and exits.</summary>
    public void Terminate() => _process.Terminate();

    /// <summary>Waits for the process to exit; answers its exit code, or throws with the log tail after <paramref name="timeout"/>.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    private static HttpClient Client(Uri api, string token)
    {
        var client = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(90) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Admin.Dispose();
        Reader.Dispose();
        _process.Dispose();
    }
}

/// <summary>An API call to a <c>granary run</c> process failed; the message names the silo, the call and its answer.</summary>
public sealed class HostProcessCallException(string silo, string call, string answer) : Exception($"{call} via {silo}: {answer}");
