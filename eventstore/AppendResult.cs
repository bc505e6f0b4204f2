namespace Granary.EventStore;

/// <summary>The outcome of an append: the stream's new version and where its last event sits in the feed.</summary>
/// <param name="NextExpectedVersion">The stream's version after the append.</param>
/// <param name="LastPosition">The feed position of the last appended event.</param>
/// <param name="WasDuplicate">True when the same events had already been appended (an idempotent retry); nothing new was written.</param>
public sealed record AppendResult(long NextExpectedVersion, GlobalPosition LastPosition, bool WasDuplicate = false);
