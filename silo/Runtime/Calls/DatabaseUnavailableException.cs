using Granary.Contracts.Grains;
using Granary.EventStore;
using Npgsql;

namespace Granary.Runtime;

/// <summary>
/// A grain call failed because PostgreSQL is unreachable (stopped, restarting, or cut off). The silo stays up and
/// serves again once the database is back, within its lease; the caller may then retry. If
/// <see cref="OutcomeUnknown"/>, a write may have committed before the connection broke: read the grain's state
/// before retrying, so the change is not made twice.
/// </summary>
public sealed class DatabaseUnavailableException : RetryableGrainException
{
    private const string Unknown = "its outcome is unknown";

    /// <summary>Recreates the error from its message alone (as it crosses from one silo to another).</summary>
    public DatabaseUnavailableException(string message)
        : base(message)
    {
        OutcomeUnknown = message.Contains(Unknown, StringComparison.Ordinal);
    }

    private DatabaseUnavailableException(GrainId grain, string method, PostgresUnavailableException inner)
        : base(inner.OutcomeUnknown
            ? $"Call {method} on grain {grain} failed and {Unknown}: read the grain's state before retrying it. {inner.Message}"
            : $"Call {method} on grain {grain} failed and can be retried once the database is back. {inner.Message}", inner)
    {
        OutcomeUnknown = inner.OutcomeUnknown;
    }

    /// <summary>Whether the call may have changed the grain's state before the connection broke.</summary>
    public bool OutcomeUnknown { get; }

    /// <summary>
    /// The error a caller sees for <paramref name="failure"/> of a call: a lost database connection becomes this
    /// exception, anything else stays as it is. <paramref name="ran"/>: whether the call's method started (a call
    /// that failed to activate its grain certainly changed nothing; a mutating call that ran may have).
    /// </summary>
    internal static Exception ForCaller(Exception failure, GrainId grain, string method, bool readOnly, bool ran, NpgsqlDataSource dataSource)
    {
        if (failure is RetryableGrainException || !PostgresUnavailableException.IsConnectionFailure(failure))
        {
            return failure;
        }

        var operation = ran ? $"call {method} on grain {grain}" : $"the activation of grain {grain}";
        return new DatabaseUnavailableException(grain, method, PostgresUnavailableException.From(failure, dataSource, operation, outcomeUnknown: ran && !readOnly));
    }
}
