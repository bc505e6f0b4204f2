using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;
using Granary.Runtime.Membership;

namespace Granary.Runtime.Transport.Http;

/// <summary>
/// The calling side of one long-lived HTTP/2 request to a peer silo: call frames go up the request body, reply
/// frames come down the response body, matched by call id. Calls queued together leave in one write.
/// </summary>
/// <remarks>
/// When the stream ends, each call still waiting is failed by what certainly happened to it: a call whose frame was
/// never written (the connection was refused, or the peer said it is leaving before the frame left) fails with
/// <see cref="SiloUnavailableException"/>, which callers may re-route; a call already sent has an unknown outcome
/// and fails with <see cref="IOException"/>, never retried.
/// </remarks>
internal sealed class OutboundStream
{
    private readonly SiloAddress _target;
    private readonly Channel<Outgoing> _queue = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private long _lastId;
    private volatile bool _accepting = true;

    public OutboundStream(HttpClient client, SiloAddress target, string path, Action<OutboundStream> ended)
    {
        _target = target;
        Completion = RunAsync(client, path, ended);
    }

    /// <summary>Completes when the stream has ended and every call on it has its outcome.</summary>
    public Task Completion { get; }

    /// <summary>Queues a call; null when this stream takes no more calls (open a new one).</summary>
    public Task<object?>? TrySend(SiloRequest request, CancellationToken cancellationToken)
    {
        if (!_accepting)
        {
            return null;
        }

        var method = WireMethod.Of(request.Method);
        var call = new PendingCall(Interlocked.Increment(ref _lastId), request, method);
        _pending[call.Id] = call;
        var frame = CallCodec.EncodeCall(call.Id, request, method);
        if (!_queue.Writer.TryWrite(new Outgoing(frame, call)))
        {
            frame.Return();
            // The stream ended meanwhile: if its sweep has not taken the call, the call is ours to send elsewhere.
            return _pending.TryRemove(call.Id, out _) ? null : call.Task;
        }

        if (cancellationToken.CanBeCanceled)
        {
            call.Registration = cancellationToken.Register(static state =>
            {
                var (stream, call, token) = ((OutboundStream, PendingCall, CancellationToken))state!;
                stream.Cancel(call, token);
            }, (this, call, cancellationToken));
        }

        return call.Task;
    }

    /// <summary>Takes no more calls and ends this side once queued calls are written; the peer answers them, then ends its side.</summary>
    public void Close()
    {
        _accepting = false;
        _queue.Writer.TryComplete();
    }

    private void Cancel(PendingCall call, CancellationToken token)
    {
        if (!_pending.TryRemove(call.Id, out _))
        {
            return;
        }

        call.Completion.TrySetCanceled(token);
        if (call.Written)
        {
            _queue.Writer.TryWrite(new Outgoing(CallCodec.EncodeCancel(call.Id), null));
        }
    }

    private async Task RunAsync(HttpClient client, string path, Action<OutboundStream> ended)
    {
        Exception? failure = null;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, $"http://{_target.Endpoint}{path}")
            {
                Content = new RequestBody(this),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            message.Headers.TryAddWithoutValidation(HttpSiloTransport.SiloHeader, _target.ToString());
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // Refused before the silo read a frame: nothing sent on this stream ran.
                var text = await response.Content.ReadAsStringAsync();
                _accepting = false;
                MarkAllUnsent();
                failure = new SiloUnavailableException($"Silo {_target} refused calls (HTTP {(int)response.StatusCode}): {text[..Math.Min(text.Length, 300)]}");
                return;
            }

            var body = PipeReader.Create(await response.Content.ReadAsStreamAsync());
            await FrameStream.ReadAsync(body, OnFrame, CancellationToken.None);
            failure = new IOException($"Silo {_target} ended the call stream");
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError == HttpRequestError.ConnectionError)
        {
            failure = new SiloUnavailableException($"Silo {_target} is unreachable at {_target.Endpoint}: {exception.Message}", exception);
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        finally
        {
            _accepting = false;
            _queue.Writer.TryComplete();
            ended(this);
            FailWaiting(failure!);
        }
    }

    private void OnFrame(ReadOnlySpan<byte> payload)
    {
        var reader = new FrameReader(payload);
        switch ((FrameType)reader.ReadByte())
        {
            case FrameType.Reply:
                if (_pending.TryRemove(reader.ReadInt64(), out var call))
                {
                    var (result, error) = CallCodec.DecodeReply(ref reader, call.Method);
                    call.Registration.Dispose();
                    if (error is null)
                    {
                        call.Completion.TrySetResult(result);
                    }
                    else
                    {
                        call.Completion.TrySetException(error);
                    }
                }

                break;
            case FrameType.Closing:
                // The peer is leaving: it answers every call sent so far; end our side once the queue is written.
                _accepting = false;
                _queue.Writer.TryComplete();
                break;
            default:
                throw new InvalidDataException($"Silo {_target} sent an unexpected frame type {payload[0]} on a call stream.");
        }
    }

    private void MarkAllUnsent()
    {
        foreach (var call in _pending.Values)
        {
            call.Written = false;
        }
    }

    private void FailWaiting(Exception failure)
    {
        while (_queue.Reader.TryRead(out var left))
        {
            left.Frame.Return();
        }

        foreach (var id in _pending.Keys)
        {
            if (!_pending.TryRemove(id, out var call))
            {
                continue;
            }

            call.Registration.Dispose();
            var what = $"call {call.Request.Method.Name} on grain {call.Request.Target}";
            call.Completion.TrySetException(!call.Written || failure is SiloUnavailableException
                ? new SiloUnavailableException($"{failure.Message}; {what} was not delivered.", failure)
                : new IOException($"The call stream to silo {_target} broke while {what} was in flight ({failure.Message}); its outcome is unknown, so it was not retried.", failure));
        }
    }

    private readonly record struct Outgoing(Frame Frame, PendingCall? Call);

    private sealed class PendingCall(long id, SiloRequest request, WireMethod method)
    {
        public long Id { get; } = id;

        public SiloRequest Request { get; } = request;

        public WireMethod Method { get; } = method;

        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<object?> Task => Completion.Task;

        public volatile bool Written;

        public CancellationTokenRegistration Registration;
    }

    /// <summary>The request body: the writer loop, running for as long as the stream lives.</summary>
    private sealed class RequestBody(OutboundStream stream) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream target, TransportContext? context) =>
            await FrameStream.WriteAsync(stream._queue.Reader, PipeWriter.Create(target, new StreamPipeWriterOptions(leaveOpen: true)), item =>
            {
                if (item.Call is { } call)
                {
                    if (call.Task.IsCompleted)
                    {
                        // Cancelled before it left: drop it.
                        item.Frame.Return();
                        return null;
                    }

                    call.Written = true;
                }

                return item.Frame;
            }, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
