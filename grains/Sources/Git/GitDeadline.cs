namespace Granary.Grains.Sources.Git;

/// <summary>The end of one operation's time budget (<c>spec.timeout</c>), shared by the git commands it runs.</summary>
internal readonly record struct GitDeadline(DateTime At)
{
    /// <summary>A deadline <paramref name="timeout"/> from now.</summary>
    public static GitDeadline After(TimeSpan timeout) => new(DateTime.UtcNow + timeout);

    /// <summary>
    /// The time left; never zero, so a command started at the deadline still gets a moment and then fails as timed
    /// out instead of never starting.
    /// </summary>
    public TimeSpan Remaining => At - DateTime.UtcNow is var left && left > TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100);
}
