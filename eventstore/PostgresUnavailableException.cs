using System.Data.Common;
using Npgsql;

namespace Granary.EventStore;

/// <summary>
/// PostgreSQL could not be reached, or the connection to it broke during the operation (the server stopped,
/// restarted or crashed, or the network dropped): retry once it is back. <see cref="OutcomeUnknown"/> says whether
/// a write may have committed all the same.
/// </summary>
public sealed class PostgresUnavailableException : DbException
{
    /// <summary>Recreates the error from its message alone (as it crosses from one silo to another).</summary>
    public PostgresUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Describes a connection failure during <paramref name="operation"/> ("the append to stream 'x'").</summary>
    public PostgresUnavailableException(string endpoint, string operation, bool outcomeUnknown, Exception inner)
        : base(Describe(endpoint, operation, outcomeUnknown, inner), inner)
    {
        Endpoint = endpoint;
        OutcomeUnknown = outcomeUnknown;
    }

    /// <summary>The server's <c>host:port</c> (never the connection string: it may hold a password).</summary>
    public string? Endpoint { get; }

    /// <summary>
    /// True when the connection broke while a write was committing, so it may have been written: do not write
    /// something new in its place blindly. An append may be re-sent with the very same events (same ids): the store
    /// recognises it and answers with the original result. False: the operation certainly did not happen.
    /// </summary>
    public bool OutcomeUnknown { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;

    /// <summary>
    /// Whether <paramref name="exception"/> is a lost or refused connection rather than an error in the statement:
    /// a socket or stream failure or timeout, a connection-class SQLSTATE (08xxx), or the server shutting down or
    /// starting up (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now).
    /// </summary>
    public static bool IsConnectionFailure(Exception exception) => exception switch
    {
        PostgresUnavailableException => true,
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState is "57P01" or "57P02" or "57P03",

        // Npgsql's own transient errors are exactly I/O, socket and timeout failures on the connection.
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };

    /// <summary>The error for a connection failure of <paramref name="dataSource"/> during <paramref name="operation"/>.</summary>
    public static PostgresUnavailableException From(Exception failure, NpgsqlDataSource dataSource, string operation, bool outcomeUnknown)
    {
        if (failure is PostgresUnavailableException known)
        {
            return known;
        }

        var connection = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        return new PostgresUnavailableException($"{connection.Host}:{connection.Port}", operation, outcomeUnknown, failure);
    }

    private static string Describe(string endpoint, string operation, bool outcomeUnknown, Exception inner)
    {
        var why = inner switch
        {
            PostgresException postgres => $"{postgres.SqlState} {postgres.MessageText}",
            { InnerException: { } cause } => $"{inner.Message}: {cause.Message}",
            _ => inner.Message,
        };
        return outcomeUnknown
            ? $"PostgreSQL at {endpoint} became unreachable ({why}) while {operation} was committing, so whether it was written is unknown. Retry once the database is back, re-sending the same events (same ids) or re-reading first; never write new ones in its place blindly."
            : $"PostgreSQL at {endpoint} is unreachable ({why}): {operation} did not happen. It can be retried once the database is back.";
    }
}
