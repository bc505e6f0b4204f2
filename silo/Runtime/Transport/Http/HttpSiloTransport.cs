using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Text.Json;
using Granary.Contracts.Grains;
using Granary.Runtime.Membership;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Transport.Http;

/// <summary>
/// Silo-to-silo calls over HTTP/2 without TLS (prior knowledge, for a private network): Kestrel listens on the
/// silo's endpoint (<c>host:port</c>); calls go out on one pooled <see cref="HttpClient"/> that multiplexes
/// streams over a few connections per peer. The call context travels as HTTP headers (<c>traceparent</c>,
/// <c>tracestate</c>, <c>granary-correlation</c>, <c>granary-causation</c>, <c>granary-actor</c>,
/// <c>granary-timeout-ms</c>, <c>granary-chain</c>, <c>granary-forwards</c>, <c>granary-to-holder</c>); the body is
/// JSON (source-generated envelope, arguments and results by their declared types).
/// </summary>
public sealed class HttpSiloTransport : ISiloTransport
{
    private const string CallPath = "/granary/call";

    private static readonly JsonSerializerOptions Values = new(JsonSerializerDefaults.Web);

    private static readonly JsonElement Null = JsonDocument.Parse("null").RootElement;

    private readonly HttpClient _client;
    private readonly IPEndPoint? _listen;
    private readonly ConcurrentDictionary<string, MethodInfo> _methods = new(StringComparer.Ordinal);
    private WebApplication? _server;
    private ISiloRequestHandler? _handler;

    /// <summary>
    /// A transport; <see cref="BindAsync"/> starts its listener on <paramref name="listen"/>, or (null) on the silo's
    /// endpoint, which must then be an <c>ip:port</c>.
    /// </summary>
    public HttpSiloTransport(IPEndPoint? listen = null)
    {
        _listen = listen;
        _client = new HttpClient(new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
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
        _handler = handler;
        var endpoint = _listen ?? IPEndPoint.Parse(self.Endpoint);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        });
        var server = builder.Build();
        server.MapPost(CallPath, ReceiveAsync);
        await server.StartAsync(cancellationToken);
        _server = server;
    }

    /// <inheritdoc />
    public async Task<object?> SendAsync(SiloAddress target, SiloRequest request, CancellationToken cancellationToken)
    {
        var method = request.Method;
        var parameters = method.GetParameters();
        var arguments = new JsonElement[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            arguments[i] = parameters[i].ParameterType == typeof(CancellationToken)
                ? Null
                : JsonSerializer.SerializeToElement(request.Arguments[i], parameters[i].ParameterType, Values);
        }

        var body = new WireCall(
            request.Target.Kind,
            request.Target.Key,
            method.DeclaringType!.AssemblyQualifiedName!,
            method.Name,
            [.. parameters.Select(p => p.ParameterType.FullName!)],
            arguments);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"http://{target.Endpoint}{CallPath}")
        {
            Content = JsonContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var headers = request.Headers;
        Add(message, "granary-silo", target.ToString());
        Add(message, "traceparent", headers.TraceParent);
        Add(message, "tracestate", headers.TraceState);
        Add(message, "granary-correlation", headers.CorrelationId);
        Add(message, "granary-causation", headers.CausationId);
        Add(message, "granary-actor", headers.Actor);
        Add(message, "granary-timeout-ms", headers.Timeout is { } timeout ? ((long)Math.Max(0, timeout.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
        Add(message, "granary-chain", headers.Chain.Count == 0 ? null : string.Join(' ', headers.Chain.Select(g => Uri.EscapeDataString(g.Kind) + "/" + Uri.EscapeDataString(g.Key))));
        Add(message, "granary-forwards", request.Forwards.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(message, "granary-to-holder", request.ToHolder ? "1" : null);

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError == HttpRequestError.ConnectionError)
        {
            // Never connected: the call certainly did not run.
            throw new SiloUnavailableException($"Silo {target} is unreachable at {target.Endpoint}: {exception.Message}", exception);
        }

        using (response)
        {
            if (response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new HttpRequestException($"Silo {target} answered call {method.Name} on {request.Target} with HTTP {(int)response.StatusCode} and no call reply: {text[..Math.Min(text.Length, 500)]}");
            }

            var reply = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(response.Content, WireJsonContext.Default.WireReply, cancellationToken)
                ?? throw new InvalidOperationException($"Silo {target} answered call {method.Name} on {request.Target} with an empty body (HTTP {(int)response.StatusCode}).");
            if (reply.Error is { } error)
            {
                throw Recreate(error);
            }

            var resultType = ResultType(method.ReturnType);
            return resultType is null || reply.Result is not { } result ? null : result.Deserialize(resultType, Values);
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        WireReply reply;
        try
        {
            var call = await context.Request.ReadFromJsonAsync(WireJsonContext.Default.WireCall, context.RequestAborted)
                ?? throw new InvalidOperationException("Empty call body.");
            var method = Resolve(call);
            var parameters = method.GetParameters();
            var arguments = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].ParameterType != typeof(CancellationToken))
                {
                    arguments[i] = call.Arguments[i].Deserialize(parameters[i].ParameterType, Values);
                }
            }

            var headers = context.Request.Headers;
            var request = new SiloRequest(
                new GrainId(call.Kind, call.Key),
                method,
                arguments,
                new CallHeaders(
                    Header(headers, "granary-correlation"),
                    Header(headers, "granary-causation"),
                    Header(headers, "granary-actor"),
                    Header(headers, "traceparent"),
                    Header(headers, "tracestate"),
                    Header(headers, "granary-timeout-ms") is { } ms ? TimeSpan.FromMilliseconds(long.Parse(ms, System.Globalization.CultureInfo.InvariantCulture)) : null,
                    Header(headers, "granary-chain") is { } chain ? [.. chain.Split(' ').Select(ParseGrain)] : []),
                Header(headers, "granary-forwards") is { } forwards ? int.Parse(forwards, System.Globalization.CultureInfo.InvariantCulture) : 0,
                Header(headers, "granary-to-holder") == "1");
            var result = await (_handler ?? throw new SiloUnavailableException("This silo is not listening yet.")).HandleAsync(request, context.RequestAborted);
            var resultType = ResultType(method.ReturnType);
            reply = new WireReply(resultType is null ? null : JsonSerializer.SerializeToElement(result, resultType, Values), null);
        }
        catch (Exception exception)
        {
            reply = new WireReply(null, new WireError(exception.GetType().FullName!, exception.Message, exception is SiloUnavailableException));
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, reply, WireJsonContext.Default.WireReply, context.RequestAborted);
    }

    private MethodInfo Resolve(WireCall call)
    {
        var signature = $"{call.Interface}|{call.Method}|{string.Join(',', call.Parameters)}";
        return _methods.GetOrAdd(signature, _ =>
        {
            var type = Type.GetType(call.Interface, throwOnError: false)
                ?? throw new InvalidOperationException($"Grain interface {call.Interface} is not known to this silo; run the same grain assemblies on every silo.");
            return type.GetMethods().SingleOrDefault(m => m.Name == call.Method && m.GetParameters().Select(p => p.ParameterType.FullName).SequenceEqual(call.Parameters))
                ?? throw new InvalidOperationException($"Grain interface {type.Name} has no method {call.Method}({string.Join(", ", call.Parameters)}) on this silo; run the same grain assemblies on every silo.");
        });
    }

    private static Exception Recreate(WireError error)
    {
        if (error.NotDelivered)
        {
            return new SiloUnavailableException(error.Message);
        }

        // Exceptions with a (string message) constructor come back as themselves; the rest keep their type name.
        var type = Type.GetType(error.Type, throwOnError: false) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(error.Type)).FirstOrDefault(t => t is not null);
        if (type is not null && typeof(Exception).IsAssignableFrom(type) && type.GetConstructor([typeof(string)]) is { } constructor)
        {
            return (Exception)constructor.Invoke([error.Message]);
        }

        return new RemoteGrainException(error.Type, error.Message);
    }

    private static Type? ResultType(Type returnType) =>
        returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? returnType.GenericTypeArguments[0]
            : null;

    private static GrainId ParseGrain(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return new GrainId(Uri.UnescapeDataString(text[..slash]), Uri.UnescapeDataString(text[(slash + 1)..]));
    }

    private static string? Header(IHeaderDictionary headers, string name) => headers.TryGetValue(name, out var value) ? value.ToString() : null;

    private static void Add(HttpRequestMessage message, string name, string? value)
    {
        if (value is not null)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static HttpContent JsonContent(WireCall body) =>
        System.Net.Http.Json.JsonContent.Create(body, WireJsonContext.Default.WireCall);

    /// <inheritdoc />
    public async Task UnbindAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.StopAsync();
            await server.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await UnbindAsync();
        _client.Dispose();
    }
}
