using Npgsql;
using NpgsqlTypes;

namespace Granary.EventStore;

/// <summary>Small constructors for commands and typed parameters, so SQL call sites read as SQL.</summary>
internal static class PostgresSql
{
    public static NpgsqlBatchCommand BatchCommand(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        return command;
    }

    public static NpgsqlParameter Text(string? value) => new NpgsqlParameter<string?> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter Int64(long value) => new NpgsqlParameter<long> { TypedValue = value };

    public static NpgsqlParameter Bytes(byte[] value) => new NpgsqlParameter<byte[]> { TypedValue = value };

    public static NpgsqlParameter Timestamp(DateTimeOffset value) => new NpgsqlParameter<DateTime> { TypedValue = value.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    public static NpgsqlParameter TransactionId(ulong value) => new NpgsqlParameter<ulong> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Xid8 };

    public static NpgsqlParameter Array<T>(T[] values) => new NpgsqlParameter<T[]> { TypedValue = values };
}
