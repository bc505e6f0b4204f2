namespace Granary.Grains.Versions;

/// <summary>One primitive comparison a range is made of, e.g. <c>&gt;=1.2.0</c>.</summary>
internal readonly record struct SemVerComparator(SemVerOperator Operator, SemVer Bound, SemVer? UpperBound = null)
{
    /// <summary>True when <paramref name="version"/> satisfies this comparison (pre-release policy is the range's job).</summary>
    public bool Matches(SemVer version) => Operator switch
    {
        SemVerOperator.Equal => version.CompareTo(Bound) == 0,
        SemVerOperator.NotEqual => version.CompareTo(Bound) != 0,
        SemVerOperator.Greater => version.CompareTo(Bound) > 0,
        SemVerOperator.GreaterOrEqual => version.CompareTo(Bound) >= 0,
        SemVerOperator.Less => version.CompareTo(Bound) < 0,
        SemVerOperator.LessOrEqual => version.CompareTo(Bound) <= 0,
        SemVerOperator.Outside => version.CompareTo(Bound) < 0 || version.CompareTo(UpperBound!) >= 0,
        _ => false,
    };

    /// <inheritdoc />
    public override string ToString() => Operator switch
    {
        SemVerOperator.Equal => $"={Bound}",
        SemVerOperator.NotEqual => $"!={Bound}",
        SemVerOperator.Greater => $">{Bound}",
        SemVerOperator.GreaterOrEqual => $">={Bound}",
        SemVerOperator.Less => $"<{Bound}",
        SemVerOperator.LessOrEqual => $"<={Bound}",
        _ => $"!({Bound} - {UpperBound})",
    };
}

/// <summary>The primitive comparisons; <see cref="Outside"/> is a not-equal over a partial version (<c>!=1.2</c>).</summary>
internal enum SemVerOperator
{
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Outside,
}
