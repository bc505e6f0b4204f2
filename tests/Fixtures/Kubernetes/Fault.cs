using System.Net;

namespace Granary.Testing.Kubernetes;

/// <summary>What a <see cref="FaultProxy"/> does to a request instead of (or before) forwarding it faithfully.</summary>
public abstract record Fault
{
    /// <summary>Waits <paramref name="delay"/>, then forwards the request.</summary>
    public static Fault Latency(TimeSpan delay) => new LatencyFault(delay);

    /// <summary>Answers with <paramref name="status"/> and a Kubernetes Status body, without forwarding.</summary>
    public static Fault Status(HttpStatusCode status) => new StatusFault(status, null);

    /// <summary>Answers 429 with <c>Retry-After</c> (whole seconds, as the API server sends it) and a TooManyRequests Status, without forwarding.</summary>
    public static Fault TooManyRequests(TimeSpan retryAfter) => new StatusFault(HttpStatusCode.TooManyRequests, retryAfter);

    /// <summary>Closes the connection before any response (HTTP/1.1: the socket; HTTP/2: the stream is reset), without forwarding.</summary>
    public static Fault DropConnection() => new DropConnectionFault();

    /// <summary>Forwards, sends the response headers and at most <paramref name="bytes"/> body bytes, then drops the connection (a watch or download cut short).</summary>
    public static Fault CutResponse(int bytes = 0) => new CutResponseFault(bytes);
}

/// <summary>See <see cref="Fault.Latency"/>.</summary>
public sealed record LatencyFault(TimeSpan Delay) : Fault;

/// <summary>See <see cref="Fault.Status"/> and <see cref="Fault.TooManyRequests"/>.</summary>
public sealed record StatusFault(HttpStatusCode Code, TimeSpan? RetryAfter) : Fault;

/// <summary>See <see cref="Fault.DropConnection"/>.</summary>
public sealed record DropConnectionFault : Fault;

/// <summary>See <see cref="Fault.CutResponse"/>.</summary>
public sealed record CutResponseFault(int Bytes) : Fault;
