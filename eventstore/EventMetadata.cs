namespace Granary.EventStore;

/// <summary>Who and what caused an append; stamped on every event of that append.</summary>
/// <param name="CorrelationId">The root cause (a webhook delivery, a commit, a user request).</param>
/// <param name="CausationId">The message that directly caused these events.</param>
/// <param name="Actor">Who acted: a user, a token name, or a grain identity.</param>
public sealed record EventMetadata(string? CorrelationId = null, string? CausationId = null, string? Actor = null)
{
    /// <summary>No metadata.</summary>
    public static EventMetadata None { get; } = new();
}
