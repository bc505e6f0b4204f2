using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Testing.Kubernetes;

/// <summary>
/// A reverse proxy in front of one local cluster's API server that injects latency, error statuses, 429 throttling and
/// dropped connections on demand, and otherwise passes requests and responses through unchanged (method, headers
/// including Authorization, body, streamed responses such as watches). It terminates TLS with the API server's own
/// serving certificate, so a client trusts it with the cluster's CA and reaches it at <c>https://127.0.0.1:&lt;port&gt;</c>
/// (HTTP/1.1 or HTTP/2); it then opens its own TLS connection to the API server. Upgrade requests (exec, port-forward)
/// are not supported.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    // Hop-by-hop headers belong to one connection and must not be forwarded (RFC 9110 7.6.1); Host is the upstream's.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Expect",
    };

    private readonly WebApplication app;
    private readonly HttpClient upstream;
    private readonly LocalCluster cluster;
    private readonly List<ActiveFault> faults = [];
    private readonly ConcurrentQueue<ProxiedRequest> requests = new();
    private readonly Random random;

    private FaultProxy(WebApplication app, HttpClient upstream, LocalCluster cluster, int seed)
    {
        this.app = app;
        this.upstream = upstream;
        this.cluster = cluster;
        random = new Random(seed);
    }

    /// <summary>Where clients reach the proxy: <c>https://127.0.0.1:&lt;port&gt;</c>, trusted through the cluster's CA.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Every request the proxy has seen so far, in arrival order, with the fault it got (if any).</summary>
    public IReadOnlyList<ProxiedRequest> Requests => [.. requests];

    /// <summary>Starts a proxy in front of <paramref name="cluster"/>; <paramref name="seed"/> makes fractional faults repeatable.</summary>
    public static async Task<FaultProxy> StartAsync(LocalCluster cluster, int seed = 1)
    {
        var (certificateFile, keyFile) = cluster.ServingCertificate;
        var certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            });
        });
        var app = builder.Build();
        var upstream = new HttpClient(cluster.CreateHandler()) { BaseAddress = cluster.Server, Timeout = Timeout.InfiniteTimeSpan };
        var proxy = new FaultProxy(app, upstream, cluster, seed);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        proxy.Url = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return proxy;
    }

    /// <summary>Starts injecting <paramref name="fault"/> into requests in <paramref name="scope"/> (default: all); dispose the result to stop.</summary>
    /// <remarks>When several faults match a request, the one injected first wins.</remarks>
    public IDisposable Inject(Fault fault, FaultScope? scope = null)
    {
        var active = new ActiveFault(this, fault, scope ?? FaultScope.Always);
        lock (faults)
        {
            faults.Add(active);
        }

        return active;
    }

    /// <summary>Removes every fault; from now on everything passes through.</summary>
    public void ClearFaults()
    {
        lock (faults)
        {
            faults.Clear();
        }
    }

    /// <summary>An HTTP client that reaches the cluster through this proxy, trusting the cluster CA and sending <paramref name="token"/>.</summary>
    public HttpClient CreateHttpClient(string? token = null) => cluster.CreateHttpClient(token, Url);

    /// <summary>Writes a kubeconfig for <paramref name="user"/> whose server is this proxy, and returns its path.</summary>
    public string WriteKubeconfig(ClusterUser user) => cluster.WriteKubeconfig(user, Url);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // A cancelled token makes Kestrel abort open requests (watches) instead of waiting for them to end.
        await app.StopAsync(new CancellationToken(canceled: true));
        await app.DisposeAsync();
        upstream.Dispose();
    }

    private Fault? Choose(string method, string pathAndQuery)
    {
        lock (faults)
        {
            foreach (var active in faults)
            {
                var scope = active.Scope;
                if (!scope.Matches(method, pathAndQuery) || (scope.Probability < 1 && random.NextDouble() >= scope.Probability))
                {
                    continue;
                }

                if (scope.Count is not null && ++active.Used >= scope.Count)
                {
                    faults.Remove(active);
                }

                return active.Fault;
            }

            return null;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        // The raw target, not the decoded Path: escapes in names and selectors must reach the API server as sent.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var pathAndQuery = rawTarget?.StartsWith('/') == true ? rawTarget : context.Request.Path + context.Request.QueryString;
        var fault = Choose(context.Request.Method, pathAndQuery);
        requests.Enqueue(new ProxiedRequest(context.Request.Method, pathAndQuery, fault));
        switch (fault)
        {
            case DropConnectionFault:
                context.Abort();
                return;
            case StatusFault status:
                await RespondWithStatusAsync(context, status);
                return;
            case LatencyFault latency:
                await Task.Delay(latency.Delay, context.RequestAborted);
                break;
        }

        await ForwardAsync(context, pathAndQuery, (fault as CutResponseFault)?.Bytes);
    }

    private async Task ForwardAsync(HttpContext context, string pathAndQuery, int? cutAfterBytes)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), pathAndQuery);
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            request.Content = new StreamContent(context.Request.Body);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHop.Contains(name) || name.StartsWith(':'))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException exception)
        {
            await RespondWithStatusAsync(context, new StatusFault(HttpStatusCode.BadGateway, null), $"the API server did not answer: {exception.Message}");
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            if (cutAfterBytes is not null)
            {
                // Promise more than will come, so ending the response early is a protocol error the client notices.
                context.Response.ContentLength = Math.Max(context.Response.ContentLength ?? 0, cutAfterBytes.Value + 1L);
            }

            // Send the headers now: a watch may not produce a byte of body for minutes.
            await context.Response.StartAsync(context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            var buffer = new byte[16 * 1024];
            var sent = 0;
            while (true)
            {
                if (sent >= cutAfterBytes)
                {
                    return;
                }

                var read = await body.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, (cutAfterBytes ?? int.MaxValue) - sent)), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                // Flush every chunk: watch events must reach the client as they happen.
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                sent += read;
            }
        }
    }

    // The body a real API server sends with an error: a v1 Status a client can parse (and, for 429, retryAfterSeconds).
    private static async Task RespondWithStatusAsync(HttpContext context, StatusFault fault, string? message = null)
    {
        var code = (int)fault.Code;
        var reason = fault.Code switch
        {
            HttpStatusCode.BadRequest => "BadRequest",
            HttpStatusCode.Unauthorized => "Unauthorized",
            HttpStatusCode.Forbidden => "Forbidden",
            HttpStatusCode.NotFound => "NotFound",
            HttpStatusCode.Conflict => "Conflict",
            HttpStatusCode.Gone => "Expired",
            HttpStatusCode.TooManyRequests => "TooManyRequests",
            HttpStatusCode.InternalServerError => "InternalError",
            HttpStatusCode.ServiceUnavailable => "ServiceUnavailable",
            HttpStatusCode.GatewayTimeout => "Timeout",
            _ => "Unknown",
        };
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message ?? $"injected by Granary's FaultProxy: {code} {reason}",
            ["reason"] = reason,
            ["code"] = code,
        };
        context.Response.StatusCode = code;
        if (fault.RetryAfter is { } retryAfter)
        {
            var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString();
            status["details"] = new JsonObject { ["retryAfterSeconds"] = seconds };
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(status.ToJsonString(), context.RequestAborted);
    }

    private sealed class ActiveFault(FaultProxy proxy, Fault fault, FaultScope scope) : IDisposable
    {
        public Fault Fault { get; } = fault;

        public FaultScope Scope { get; } = scope;

        public int Used { get; set; }

        public void Dispose()
        {
            lock (proxy.faults)
            {
                proxy.faults.Remove(this);
            }
        }
    }
}
