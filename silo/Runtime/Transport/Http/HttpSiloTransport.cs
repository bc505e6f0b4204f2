using System.Collections.Concurrent;
using System.Net;
using Granary.Runtime.Membership;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Transport.Http;

/// <summary>
/// Silo-to-silo calls over HTTP/2 without TLS (prior knowledge, for a private network): Kestrel listens on the
/// silo's endpoint (<c>host:port</c>), and one pooled <see cref="HttpClient"/> keeps a long-lived duplex request
/// (a call stream) open to each peer. Calls go up as binary frames — the grain, the method by interface and
/// signature, the call context (correlation, causation, actor, W3C <c>traceparent</c>/<c>tracestate</c>, time
/// left before the deadline, the chain of waiting grains) and the arguments as JSON of their declared types — and
/// replies come down the response, matched by call id, in whatever order calls finish. Frames queued together
/// leave in one write, so a busy stream costs a few system calls per batch rather than an HTTP exchange per call
/// (<see cref="Frames"/> has the layout).
/// </summary>
/// <remarks>
/// A stream opens with a <c>granary-silo</c> header naming the silo (endpoint and generation) the caller means; a
/// different silo on that endpoint refuses it, so a restarted process never serves calls meant for its previous
/// generation. Cancelling a call sends a cancel frame; the deadline travels with the call, and the serving silo
/// cancels the grain's token when it passes. When the silo leaves (<see cref="UnbindAsync"/>), each stream gets a
/// closing frame: calls already sent are answered (those arriving after the silo stopped taking calls are refused
/// as not delivered), callers end their side, and only then does Kestrel stop.
/// </remarks>
public sealed class HttpSiloTransport : ISiloTransport
{
    internal const string SiloHeader = "granary-silo";

    private const string StreamPath = "/granary/calls";

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _client;
    private readonly IPEndPoint? _listen;
    private readonly ConcurrentDictionary<SiloAddress, OutboundStream> _outbound = new();
    private readonly ConcurrentDictionary<InboundStream, Task> _inbound = new();
    private WebApplication? _server;
    private ISiloRequestHandler? _handler;
    private SiloAddress _self;
    private volatile bool _closing;

    /// <summary>
    /// A transport; <see cref="BindAsync"/> starts its listener on <paramref name="listen"/>, or (null) on the silo's
    /// endpoint, which must then be an <c>ip:port</c>.
    /// </summary>
    public HttpSiloTransport(IPEndPoint? listen = null)
    {
        _listen = listen;
        _client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            // A peer that vanishes without closing its sockets (a partition, a frozen host) is noticed by pings.
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <inheritdoc />
    public async Task BindAsync(SiloAddress self, ISiloRequestHandler handler, CancellationToken cancellationToken)
    {
        _self = self;
        _handler = handler;
        _closing = false;
        var endpoint = _listen ?? IPEndPoint.Parse(self.Endpoint);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http2);
            // Call streams are long-lived and may idle for as long as no grain is called.
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.InitialStreamWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 8 * 1024 * 1024;
        });
        var server = builder.Build();
        server.MapPost(StreamPath, ServeAsync);
        await server.StartAsync(cancellationToken);
        _server = server;
    }

    /// <inheritdoc />
    public async Task<object?> SendAsync(SiloAddress target, SiloRequest request, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stream = _outbound.GetOrAdd(target, static (target, transport) => new OutboundStream(transport._client, target, StreamPath, transport.Ended), this);
            if (stream.TrySend(request, cancellationToken) is { } sent)
            {
                return await sent;
            }

            // That stream is closing or ended; the next one is opened fresh (and refused, if the silo is leaving).
            _outbound.TryRemove(new KeyValuePair<SiloAddress, OutboundStream>(target, stream));
        }
    }

    private void Ended(OutboundStream stream)
    {
        foreach (var (target, open) in _outbound)
        {
            if (open == stream)
            {
                _outbound.TryRemove(new KeyValuePair<SiloAddress, OutboundStream>(target, stream));
            }
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var meant = context.Request.Headers[SiloHeader].ToString();
        if (_closing || _handler is not { } handler)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"Silo {_self} is not taking calls (it is leaving the cluster or not listening yet).");
            return;
        }

        if (meant != _self.ToString())
        {
            context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
            await context.Response.WriteAsync($"This endpoint is silo {_self}, not {(meant.Length == 0 ? "(no granary-silo header)" : meant)}.");
            return;
        }

        context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = null;
        context.Response.ContentType = "application/vnd.granary.calls";
        await context.Response.StartAsync(context.RequestAborted);

        var stream = new InboundStream(handler, () => _closing);
        var serving = stream.RunAsync(context);
        _inbound[stream] = serving;
        if (_closing)
        {
            stream.SendClosing();
        }

        try
        {
            await serving;
        }
        finally
        {
            _inbound.TryRemove(stream, out _);
        }
    }

    /// <inheritdoc />
    public async Task UnbindAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is not { } server)
        {
            return;
        }

        _closing = true;
        foreach (var stream in _inbound.Keys)
        {
            stream.SendClosing();
        }

        // Callers answer a closing frame by ending their side; a caller that does not is cut off by Kestrel's stop.
        try
        {
            await Task.WhenAll(_inbound.Values).WaitAsync(DrainTimeout);
        }
        catch (Exception)
        {
            // Either timed out or a stream failed; stopping Kestrel ends what is left.
        }

        await server.StopAsync();
        await server.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await UnbindAsync();

        // End our side of every call stream: peers answer what was sent and end theirs (an HTTP/2 connection with an
        // open stream outlives the client's disposal, so this comes first); a peer that does not is cut off below.
        var streams = _outbound.Values.ToList();
        foreach (var stream in streams)
        {
            stream.Close();
        }

        try
        {
            await Task.WhenAll(streams.Select(s => s.Completion)).WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            // Disposing the client below breaks what is left.
        }

        _client.Dispose();
    }
}
