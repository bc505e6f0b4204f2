using System.Globalization;

namespace Granary.EventStore;

/// <summary>
/// A place in the global feed: the writing transaction's id, then the row's sequence within the store.
/// The feed is ordered by (TransactionId, Sequence); see <c>Feed/GlobalFeed.cs</c> for why.
/// </summary>
public readonly record struct GlobalPosition(ulong TransactionId, long Sequence) : IComparable<GlobalPosition>
{
    /// <summary>Before the first event.</summary>
    public static GlobalPosition Start { get; } = new(0, 0);

    /// <inheritdoc />
    public int CompareTo(GlobalPosition other)
    {
        var byTransaction = TransactionId.CompareTo(other.TransactionId);
        return byTransaction != 0 ? byTransaction : Sequence.CompareTo(other.Sequence);
    }

    /// <summary>Orders positions as the feed does.</summary>
    public static bool operator <(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) < 0;

    /// <summary>Orders positions as the feed does.</summary>
    public static bool operator >(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) > 0;

    /// <summary>Orders positions as the feed does.</summary>
    public static bool operator <=(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) <= 0;

    /// <summary>Orders positions as the feed does.</summary>
    public static bool operator >=(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) >= 0;

    /// <summary>A cursor string, <c>tx.seq</c>, that <see cref="Parse"/> reads back.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{TransactionId}.{Sequence}");

    /// <summary>Reads a cursor written by <see cref="ToString"/>.</summary>
    public static GlobalPosition Parse(string cursor)
    {
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0
            || !ulong.TryParse(cursor.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var tx)
            || !long.TryParse(cursor.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            throw new FormatException($"'{cursor}' is not a feed cursor; expected '<transaction>.<sequence>', e.g. '0.0' for the start.");
        }

        return new GlobalPosition(tx, seq);
    }
}
