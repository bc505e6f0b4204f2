using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Granary.EventStore.Hashing;

/// <summary>
/// The tamper-evident chain over a stream: <c>hash = sha256(previous hash ‖ canonical bytes of the event)</c>.
/// The canonical bytes are length-prefixed fields in a fixed order, so no two different events share them.
/// </summary>
public static class EventHashChain
{
    /// <summary>The "previous hash" of a stream's first event.</summary>
    public static ReadOnlyMemory<byte> Genesis { get; } = new byte[32];

    /// <summary>Computes the hash of one event given the hash before it.</summary>
    public static byte[] Next(ReadOnlySpan<byte> previousHash, in HashedFields fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + fields.Data.Length);
        buffer.Write(previousHash);
        WriteGuid(buffer, fields.EventId);
        WriteString(buffer, fields.StreamId);
        WriteInt64(buffer, fields.StreamVersion);
        WriteString(buffer, fields.EventType);
        WriteInt64(buffer, fields.SchemaVersion);
        WriteInt64(buffer, fields.TimestampMicros);
        WriteString(buffer, fields.CorrelationId);
        WriteString(buffer, fields.CausationId);
        WriteString(buffer, fields.Actor);
        WriteInt64(buffer, fields.Data.Length);
        buffer.Write(fields.Data);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>Microseconds since the Unix epoch: PostgreSQL's timestamp precision, so hashes survive a round trip.</summary>
    public static long ToMicros(DateTimeOffset timestamp) => (timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>The instant for a microsecond count written by <see cref="ToMicros"/>.</summary>
    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    private static void WriteGuid(ArrayBufferWriter<byte> buffer, Guid value)
    {
        value.TryWriteBytes(buffer.GetSpan(16), bigEndian: true, out _);
        buffer.Advance(16);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null)
        {
            WriteInt64(buffer, -1);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt64(buffer, length);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }
}

/// <summary>The fields of an event that its hash covers.</summary>
public readonly ref struct HashedFields(
    Guid eventId,
    string streamId,
    long streamVersion,
    string eventType,
    int schemaVersion,
    long timestampMicros,
    string? correlationId,
    string? causationId,
    string? actor,
    ReadOnlySpan<byte> data)
{
    /// <summary>The event id.</summary>
    public Guid EventId { get; } = eventId;

    /// <summary>The stream id.</summary>
    public string StreamId { get; } = streamId;

    /// <summary>The version within the stream.</summary>
    public long StreamVersion { get; } = streamVersion;

    /// <summary>The stable type name.</summary>
    public string EventType { get; } = eventType;

    /// <summary>The schema version of the payload.</summary>
    public int SchemaVersion { get; } = schemaVersion;

    /// <summary>The timestamp in microseconds since the Unix epoch.</summary>
    public long TimestampMicros { get; } = timestampMicros;

    /// <summary>The correlation id.</summary>
    public string? CorrelationId { get; } = correlationId;

    /// <summary>The causation id.</summary>
    public string? CausationId { get; } = causationId;

    /// <summary>The actor.</summary>
    public string? Actor { get; } = actor;

    /// <summary>The payload's UTF-8 JSON bytes exactly as stored.</summary>
    public ReadOnlySpan<byte> Data { get; } = data;
}
