namespace Granary.EventStore;

/// <summary>What the caller believes a stream's version is when it appends.</summary>
/// <remarks>Stream versions start at 1 for the first event; an empty stream has version 0.</remarks>
public readonly record struct ExpectedVersion
{
    private const long AnyValue = -2;
    private const long NoStreamValue = -1;
    private const long StreamExistsValue = -3;

    private ExpectedVersion(long value) => Value = value;

    /// <summary>The raw value: an exact version (≥ 0) or one of the negative sentinels.</summary>
    public long Value { get; }

    /// <summary>Append whatever the stream's version is.</summary>
    public static ExpectedVersion Any { get; } = new(AnyValue);

    /// <summary>Append only when the stream has no events yet.</summary>
    public static ExpectedVersion NoStream { get; } = new(NoStreamValue);

    /// <summary>Append only when the stream already has at least one event.</summary>
    public static ExpectedVersion StreamExists { get; } = new(StreamExistsValue);

    /// <summary>Append only when the stream's version is exactly <paramref name="version"/> (0 means empty).</summary>
    public static ExpectedVersion Exact(long version) => version >= 0
        ? new ExpectedVersion(version)
        : throw new ArgumentOutOfRangeException(nameof(version), version, "An exact expected version is 0 (empty stream) or more.");

    /// <summary>True when a stream whose current version is <paramref name="actual"/> satisfies this expectation.</summary>
    public bool IsSatisfiedBy(long actual) => Value switch
    {
        AnyValue => true,
        NoStreamValue => actual == 0,
        StreamExistsValue => actual > 0,
        _ => actual == Value,
    };

    /// <inheritdoc />
    public override string ToString() => Value switch
    {
        AnyValue => "Any",
        NoStreamValue => "NoStream",
        StreamExistsValue => "StreamExists",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
