using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace Granary.Runtime.Transport.Http;

/// <summary>Handles one frame's payload (type byte first); the span is only valid during the call.</summary>
internal delegate void FrameHandler(ReadOnlySpan<byte> payload);

/// <summary>Reading frames from, and writing queued frames to, one side of a call stream.</summary>
internal static class FrameStream
{
    /// <summary>The largest frame either side accepts (a call's arguments or a result).</summary>
    public const int MaxFrameBytes = 64 * 1024 * 1024;

    /// <summary>Reads frames until the other side ends the stream; throws <see cref="InvalidDataException"/> on a malformed length.</summary>
    public static async Task ReadAsync(PipeReader reader, FrameHandler handle, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            while (TryTake(ref buffer, out var payload))
            {
                Dispatch(payload, handle);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    throw new InvalidDataException($"The call stream ended inside a frame ({buffer.Length} bytes left over).");
                }

                return;
            }
        }
    }

    /// <summary>
    /// Writes queued frames until the queue completes, flushing whenever it runs empty, so frames queued together
    /// leave in one write. <paramref name="sending"/> sees each frame just before it is written and may drop it.
    /// </summary>
    public static async Task WriteAsync<T>(ChannelReader<T> queue, PipeWriter writer, Func<T, Frame?> sending, CancellationToken cancellationToken)
    {
        while (await queue.WaitToReadAsync(cancellationToken))
        {
            while (queue.TryRead(out var item))
            {
                if (sending(item) is { } frame)
                {
                    writer.Write(frame.Buffer.AsSpan(0, frame.Length));
                    frame.Return();
                }
            }

            var flushed = await writer.FlushAsync(cancellationToken);
            if (flushed.IsCompleted)
            {
                return;
            }
        }
    }

    private static bool TryTake(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadLittleEndian(out int length))
        {
            return false;
        }

        if (length is < 1 or > MaxFrameBytes)
        {
            throw new InvalidDataException($"Malformed call stream: a frame of {length} bytes (allowed 1..{MaxFrameBytes}).");
        }

        if (buffer.Length < 4 + length)
        {
            return false;
        }

        payload = buffer.Slice(4, length);
        buffer = buffer.Slice(4 + length);
        return true;
    }

    private static void Dispatch(ReadOnlySequence<byte> payload, FrameHandler handle)
    {
        if (payload.IsSingleSegment)
        {
            handle(payload.FirstSpan);
            return;
        }

        var copy = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        try
        {
            payload.CopyTo(copy);
            handle(copy.AsSpan(0, (int)payload.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
