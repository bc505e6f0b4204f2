using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Granary.Runtime.Transport.Http;

/// <summary>
/// The frames of a call stream. Each frame is a 4-byte little-endian length, then a type byte and its fields:
/// integers little-endian, strings as a length (-1 for null) and UTF-8 bytes, values as length-prefixed JSON of
/// their declared type.
/// </summary>
internal enum FrameType : byte
{
    /// <summary>Client → silo: a grain call (id, grain, method signature, call context, arguments).</summary>
    Call = 1,

    /// <summary>Silo → client: a call's outcome (id, then the result or the exception).</summary>
    Reply = 2,

    /// <summary>Client → silo: the caller gave up on a call (id); the silo cancels its token.</summary>
    Cancel = 3,

    /// <summary>
    /// Silo → client: the silo is leaving. Every call the client sent before it reads this frame gets a reply; the
    /// client sends nothing more on the stream and ends its side.
    /// </summary>
    Closing = 4,
}

/// <summary>Builds one frame in a pooled buffer; <see cref="Detach"/> hands the bytes to the stream's writer.</summary>
internal sealed class FrameBuilder : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _length;

    public FrameBuilder(FrameType type, int capacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        _length = 4;
        WriteByte((byte)type);
    }

    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        Advance(1);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(GetSpan(4), value);
        Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(GetSpan(8), value);
        Advance(8);
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var span = GetSpan(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var written = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, written);
        Advance(4 + written);
    }

    /// <summary>Writes <paramref name="value"/> as JSON of <paramref name="type"/>, length-prefixed.</summary>
    public void WriteJson(object? value, Type type, JsonSerializerOptions options)
    {
        var lengthAt = _length;
        WriteInt32(0);
        var start = _length;
        using (var json = new Utf8JsonWriter(this))
        {
            JsonSerializer.Serialize(json, value, type, options);
        }

        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(lengthAt), _length - start);
    }

    /// <summary>The finished frame (length prefix filled in); the caller returns <see cref="Frame.Buffer"/> to the pool once written.</summary>
    public Frame Detach()
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer, _length - 4);
        var frame = new Frame(_buffer, _length);
        _buffer = [];
        return frame;
    }

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 16);
        if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }
}

/// <summary>A finished frame: <see cref="Length"/> bytes of a pooled <see cref="Buffer"/>.</summary>
internal readonly record struct Frame(byte[] Buffer, int Length)
{
    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}

/// <summary>Reads the fields of one frame's payload (after its length), in the order they were written.</summary>
internal ref struct FrameReader(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> _payload = payload;
    private int _position;

    public byte ReadByte() => _payload[_position++];

    public int ReadInt32()
    {
        var value = BinaryPrimitives.ReadInt32LittleEndian(_payload[_position..]);
        _position += 4;
        return value;
    }

    public long ReadInt64()
    {
        var value = BinaryPrimitives.ReadInt64LittleEndian(_payload[_position..]);
        _position += 8;
        return value;
    }

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length < 0)
        {
            return null;
        }

        var value = Encoding.UTF8.GetString(_payload.Slice(_position, length));
        _position += length;
        return value;
    }

    /// <summary>Reads a length-prefixed JSON value as <paramref name="type"/>.</summary>
    public object? ReadJson(Type type, JsonSerializerOptions options)
    {
        var json = ReadJsonBytes();
        return JsonSerializer.Deserialize(json, type, options);
    }

    /// <summary>Skips a length-prefixed JSON value (a cancellation-token slot).</summary>
    public void SkipJson() => ReadJsonBytes();

    private ReadOnlySpan<byte> ReadJsonBytes()
    {
        var length = ReadInt32();
        var json = _payload.Slice(_position, length);
        _position += length;
        return json;
    }
}
