using Granary.EventStore.Hashing;

namespace Granary.EventStore;

/// <summary>Append-only streams of events with a global, gap-safe feed. The source of truth for every grain.</summary>
public interface IEventStore
{
    /// <summary>
    /// Appends <paramref name="events"/> to a stream atomically if its version matches <paramref name="expected"/>.
    /// Re-sending the same events (same ids) after a lost reply returns the original result and writes nothing.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">The stream is at another version; nothing was written.</exception>
    /// <exception cref="PostgresUnavailableException">The database could not be reached or the connection broke; see its <see cref="PostgresUnavailableException.OutcomeUnknown"/>.</exception>
    Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, EventMetadata? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a stream in version order between two versions (inclusive).</summary>
    IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, long fromVersion = 1, long toVersion = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Reads a stream as it was at <paramref name="asOf"/>: every event stamped at or before that instant.</summary>
    IAsyncEnumerable<RecordedEvent> ReadStreamAsOfAsync(string streamId, DateTimeOffset asOf, CancellationToken cancellationToken = default);

    /// <summary>The stream's current version (0 when it has no events).</summary>
    Task<long> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="maxCount"/> events of the global feed after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(GlobalPosition after, int maxCount = 1000, CancellationToken cancellationToken = default);

    /// <summary>Recomputes a stream's hash chain and reports the first broken link.</summary>
    Task<ChainVerification> VerifyStreamAsync(string streamId, CancellationToken cancellationToken = default);
}
