using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Granary.Contracts.Grains;
using Granary.Runtime;
using Granary.Runtime.Membership;
using Granary.Runtime.Transport;
using Granary.Runtime.Transport.Http;
using Granary.Testing;
using Granary.Testing.Kubernetes;

namespace Granary.Tests.Runtime.Cluster;

/// <summary>A grain interface only these transport tests call (no grain implements it: the handler answers).</summary>
public interface IStreamProbeGrain : IGrain
{
    Task<string> EchoAsync(string text, int delayMs, CancellationToken cancellationToken);

    Task FailAsync(string message);
}

/// <summary>
/// The HTTP/2 transport on its own, between two transports on 127.0.0.1 with a scripted receiving side: many calls
/// share one stream and finish in any order, cancellation crosses, a restarted silo refuses calls meant for its
/// previous generation, a leaving silo answers what it took and refuses the rest as not delivered, and a peer that
/// dies mid-call leaves the call's outcome unknown.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class Call_streams_over_http2 : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly HttpSiloTransport _caller = new();
    private readonly ScriptedHandler _handler = new();
    private readonly Cable _cable = new();
    private HttpSiloTransport _callee = null!;
    private SiloAddress _target;

    public async Task InitializeAsync()
    {
        // The callee listens behind a cable it advertises as its endpoint, so a test can cut the wire as a dying host would.
        var listen = new IPEndPoint(IPAddress.Loopback, FreePort.Next());
        _cable.Start(listen);
        _callee = new HttpSiloTransport(listen);
        _target = new SiloAddress(_cable.Endpoint, 7);
        await _callee.BindAsync(_target, _handler, CancellationToken.None);
        await _caller.BindAsync(new SiloAddress($"127.0.0.1:{FreePort.Next()}", 1), new ScriptedHandler(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _cable.Cut();
        await _caller.DisposeAsync();
        await _callee.DisposeAsync();
    }

    [Fact]
    public async Task Many_calls_share_the_stream_and_a_slow_call_does_not_hold_up_fast_ones()
    {
        var slow = Echo("slow", delayMs: 3000);
        var fast = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Echo($"fast-{i}")));

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"fast-{i}"), fast);
        Assert.False(slow.IsCompleted, "the slow call was answered before the fast ones, so they waited behind it");
        Assert.Equal($"slow", await slow.WaitAsync(Deadline));
    }

    [Fact]
    public async Task Call_context_and_exceptions_cross()
    {
        var chain = new[] { new GrainId("a", "x/y z"), new GrainId("b", "ü") };
        var headers = new CallHeaders("corr", "cause", "alice", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "k=v", TimeSpan.FromSeconds(9), chain);
        await _caller.SendAsync(_target, Request(nameof(IStreamProbeGrain.EchoAsync), ["hi", 0, null], headers), CancellationToken.None);

        var seen = _handler.Requests.Single(r => (string?)r.Arguments[0] == "hi");
        Assert.Equal(("corr", "cause", "alice", "k=v"), (seen.Headers.CorrelationId, seen.Headers.CausationId, seen.Headers.Actor, seen.Headers.TraceState));
        Assert.Equal(headers.TraceParent, seen.Headers.TraceParent);
        Assert.Equal(chain, seen.Headers.Chain);
        Assert.InRange(seen.Headers.Timeout!.Value, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(9));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => _caller.SendAsync(_target, Request(nameof(IStreamProbeGrain.FailAsync), ["no such thing"]), CancellationToken.None));
        Assert.Equal("no such thing", failure.Message);
    }

    [Fact]
    public async Task Cancelling_a_call_cancels_it_on_the_receiving_silo()
    {
        using var cancellation = new CancellationTokenSource();
        var call = Echo("cancel-me", delayMs: 60_000, cancellation.Token);
        await Eventually.WaitUntilAsync(() => _handler.Running.ContainsKey("cancel-me"), Deadline, "the call to start on the receiving silo");

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Deadline));
        await Eventually.WaitUntilAsync(() => _handler.Cancelled.Contains("cancel-me"), Deadline, "the receiving silo to see the call cancelled");
        Assert.Equal($"after", await Echo("after"));
    }

    [Fact]
    public async Task A_restarted_silo_refuses_calls_meant_for_its_previous_generation()
    {
        var previous = _target with { Generation = 6 };

        var refused = await Assert.ThrowsAsync<SiloUnavailableException>(() => _caller.SendAsync(previous, Request(nameof(IStreamProbeGrain.EchoAsync), ["old", 0, null]), CancellationToken.None));

        Assert.Contains(previous.ToString(), refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_handler.Requests, r => (string?)r.Arguments[0] == "old");
    }

    [Fact]
    public async Task A_leaving_silo_answers_the_calls_it_took_and_refuses_the_rest_as_not_delivered()
    {
        var inFlight = Enumerable.Range(0, 20).Select(i => Echo($"taken-{i}", delayMs: 1000)).ToList();
        await Eventually.WaitUntilAsync(() => _handler.Running.Count == 20, Deadline, "20 calls to run on the receiving silo");

        var leaving = _callee.UnbindAsync();
        var late = await Assert.ThrowsAsync<SiloUnavailableException>(() => Echo("late").WaitAsync(Deadline));

        Assert.Contains("not delivered", late.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"taken-{i}"), await Task.WhenAll(inFlight).WaitAsync(Deadline));
        await leaving.WaitAsync(Deadline);
        Assert.DoesNotContain(_handler.Requests, r => (string?)r.Arguments[0] == "late");
    }

    [Fact]
    public async Task A_call_in_flight_when_the_peer_dies_has_an_unknown_outcome_and_later_calls_were_not_delivered()
    {
        var running = Echo("in-flight", delayMs: 60_000);
        await Eventually.WaitUntilAsync(() => _handler.Running.ContainsKey("in-flight"), Deadline, "the call to start on the receiving silo");

        // The peer's host goes away: the connection breaks under the call, and nothing listens any more.
        _cable.Cut();

        var lost = await Assert.ThrowsAsync<IOException>(() => running.WaitAsync(Deadline));
        Assert.Contains("outcome is unknown", lost.Message, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<SiloUnavailableException>(() => Echo("after-death").WaitAsync(Deadline));
        Assert.Contains("not delivered", refused.Message, StringComparison.Ordinal);
    }

    private Task<string> Echo(string text, int delayMs = 0, CancellationToken cancellationToken = default) =>
        SendAsync<string>(Request(nameof(IStreamProbeGrain.EchoAsync), [text, delayMs, null]), cancellationToken);

    private async Task<T> SendAsync<T>(SiloRequest request, CancellationToken cancellationToken) =>
        (T)(await _caller.SendAsync(_target, request, cancellationToken))!;

    private static SiloRequest Request(string method, object?[] arguments, CallHeaders? headers = null) =>
        new(new GrainId("streamprobe", "one"), typeof(IStreamProbeGrain).GetMethod(method)!, arguments, headers ?? new CallHeaders(null, null, null, null, null, null, []), 0, false);

    /// <summary>A TCP forwarder from its own loopback port to a listener; <see cref="Cut"/> drops every connection and the port.</summary>
    private sealed class Cable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<Socket> _sockets = [];
        private readonly CancellationTokenSource _cut = new();

        public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public void Start(IPEndPoint to)
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_cut.IsCancellationRequested)
                {
                    Socket from;
                    try
                    {
                        from = await _listener.AcceptSocketAsync(_cut.Token);
                    }
                    catch (Exception)
                    {
                        return;
                    }

                    var onward = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        await onward.ConnectAsync(to);
                    }
                    catch (SocketException)
                    {
                        // Nothing listens behind the cable: refuse as the listener would have.
                        from.LingerState = new LingerOption(true, 0);
                        from.Dispose();
                        onward.Dispose();
                        continue;
                    }

                    _sockets.Add(from);
                    _sockets.Add(onward);
                    _ = PumpAsync(from, onward);
                    _ = PumpAsync(onward, from);
                }
            });
        }

        public void Cut()
        {
            if (_cut.IsCancellationRequested)
            {
                return;
            }

            _cut.Cancel();
            _listener.Stop();
            foreach (var socket in _sockets)
            {
                // An abortive close (RST), as when the peer's host is gone.
                socket.LingerState = new LingerOption(true, 0);
                socket.Dispose();
            }
        }

        private async Task PumpAsync(Socket from, Socket to)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _cut.Token)) > 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _cut.Token);
                }

                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception)
            {
                // Cut, or the other side closed.
            }
        }
    }

    /// <summary>Answers echo calls after their delay (honouring cancellation) and throws for fail calls.</summary>
    private sealed class ScriptedHandler : ISiloRequestHandler
    {
        public ConcurrentQueue<SiloRequest> Requests { get; } = new();

        public ConcurrentDictionary<string, bool> Running { get; } = new();

        public ConcurrentBag<string> Cancelled { get; } = [];

        public async Task<object?> HandleAsync(SiloRequest request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request);
            if (request.Method.Name == nameof(IStreamProbeGrain.FailAsync))
            {
                throw new InvalidOperationException((string)request.Arguments[0]!);
            }

            var text = (string)request.Arguments[0]!;
            Running[text] = true;
            try
            {
                await Task.Delay((int)request.Arguments[1]!, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.Add(text);
                throw;
            }
            finally
            {
                Running.TryRemove(text, out _);
            }

            return text;
        }
    }
}
