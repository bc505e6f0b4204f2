using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Granary.Runtime.Transport.Http;

/// <summary>
/// The serving side of one call stream from a peer silo: reads call and cancel frames from the request body, runs
/// each call on the thread pool, and writes each outcome to the response body as soon as it is known (replies
/// finished together leave in one write). The stream ends after the caller ended its side and every call on it
/// was answered; if the caller goes away, its running calls are cancelled.
/// </summary>
internal sealed class InboundStream(ISiloRequestHandler handler, Func<bool> closing)
{
    private readonly Channel<Frame> _replies = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _running = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken _aborted;

    // The reader holds one reference and each running call one; the last to let go completes _drained.
    private int _references = 1;

    public async Task RunAsync(HttpContext context)
    {
        _aborted = context.RequestAborted;
        var writing = WriteAsync(context.Response.BodyWriter);
        try
        {
            await FrameStream.ReadAsync(context.Request.BodyReader, OnFrame, _aborted);
            Release();
            await _drained.Task.WaitAsync(_aborted);
        }
        catch (Exception) when (_aborted.IsCancellationRequested)
        {
            // The caller went away: its calls' outcomes have nowhere to go.
            foreach (var running in _running.Values)
            {
                running.Cancel();
            }
        }
        finally
        {
            _replies.Writer.TryComplete();
            await writing;
        }
    }

    /// <summary>Tells the caller this silo is leaving: it sends no more calls and ends its side once answered.</summary>
    public void SendClosing()
    {
        var frame = CallCodec.EncodeClosing();
        if (!_replies.Writer.TryWrite(frame))
        {
            frame.Return();
        }
    }

    private async Task WriteAsync(PipeWriter body)
    {
        try
        {
            await FrameStream.WriteAsync(_replies.Reader, body, static frame => frame, _aborted);
        }
        catch (Exception) when (_aborted.IsCancellationRequested)
        {
            // The caller went away.
        }
        finally
        {
            while (_replies.Reader.TryRead(out var left))
            {
                left.Return();
            }
        }
    }

    private void OnFrame(ReadOnlySpan<byte> payload)
    {
        var reader = new FrameReader(payload);
        var type = (FrameType)reader.ReadByte();
        var id = reader.ReadInt64();
        switch (type)
        {
            case FrameType.Call:
                Start(id, ref reader);
                break;
            case FrameType.Cancel:
                if (_running.TryGetValue(id, out var running))
                {
                    running.Cancel();
                }

                break;
            default:
                throw new InvalidDataException($"Unexpected frame type {(byte)type} on a call stream.");
        }
    }

    private void Start(long id, ref FrameReader reader)
    {
        SiloRequest request;
        try
        {
            request = CallCodec.DecodeCall(ref reader);
        }
        catch (Exception exception)
        {
            Reply(CallCodec.EncodeError(id, exception));
            return;
        }

        if (closing())
        {
            Reply(CallCodec.EncodeError(id, new SiloUnavailableException($"This silo is leaving the cluster; call {request.Method.Name} on grain {request.Target} was not delivered.")));
            return;
        }

        // Not linked to the stream's abort: RunAsync cancels every running call itself if the caller goes away.
        var cancellation = new CancellationTokenSource();
        if (request.Headers.Timeout is { } timeout)
        {
            cancellation.CancelAfter(timeout);
        }

        _running[id] = cancellation;
        Interlocked.Increment(ref _references);
        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Stream.RunCallAsync(state.Id, state.Request, state.Cancellation), (Stream: this, Id: id, Request: request, Cancellation: cancellation), preferLocal: false);
    }

    private async Task RunCallAsync(long id, SiloRequest request, CancellationTokenSource cancellation)
    {
        Frame reply;
        try
        {
            var result = await handler.HandleAsync(request, cancellation.Token);
            reply = CallCodec.EncodeResult(id, result, WireMethod.Of(request.Method));
        }
        catch (Exception exception)
        {
            reply = CallCodec.EncodeError(id, exception);
        }
        finally
        {
            _running.TryRemove(id, out _);
            cancellation.Dispose();
        }

        Reply(reply);
        Release();
    }

    private void Reply(Frame reply)
    {
        if (!_replies.Writer.TryWrite(reply))
        {
            reply.Return();
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _drained.TrySetResult();
        }
    }
}
