using Granary.EventStore.Serialization;
using Npgsql;

namespace Granary.EventStore.Reading;

/// <summary>Turns rows of the events table into <see cref="RecordedEvent"/>s; every reader selects <see cref="Columns"/>.</summary>
internal sealed class RecordedEventMapper(EventTypeRegistry registry)
{
    /// <summary>The column list, in the order <see cref="Map"/> reads it.</summary>
    public const string Columns = "event_id, stream_id, stream_version, tx_id, seq, type, schema_version, created_at, correlation_id, causation_id, actor, data";

    public RecordedEvent Map(NpgsqlDataReader reader)
    {
        var streamId = reader.GetString(1);
        var version = reader.GetInt64(2);
        var position = new GlobalPosition(reader.GetFieldValue<ulong>(3), reader.GetInt64(4));
        var type = reader.GetString(5);
        var schemaVersion = reader.GetInt32(6);
        var data = registry.Deserialize(type, schemaVersion, reader.GetString(11), new EventLocation(streamId, version, position));
        return new RecordedEvent(
            reader.GetGuid(0),
            streamId,
            version,
            position,
            type,
            schemaVersion,
            new DateTimeOffset(reader.GetDateTime(7), TimeSpan.Zero),
            reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.IsDBNull(9) ? null : reader.GetString(9),
            reader.IsDBNull(10) ? null : reader.GetString(10),
            data);
    }
}
