namespace Granary.EventStore;

/// <summary>An append found the stream at another version than the caller expected; nothing was written.</summary>
public sealed class WrongExpectedVersionException(string streamId, ExpectedVersion expected, long actual)
    : Exception($"Stream '{streamId}' is at version {actual}, but the append expected {expected}. Nothing was written; reload the stream and retry.")
{
    /// <summary>The stream the append targeted.</summary>
    public string StreamId { get; } = streamId;

    /// <summary>What the caller expected.</summary>
    public ExpectedVersion Expected { get; } = expected;

    /// <summary>The stream's version when the append was attempted.</summary>
    public long ActualVersion { get; } = actual;
}
