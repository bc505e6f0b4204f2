using Granary.Contracts.Grains;

namespace Granary.Runtime;

/// <summary>
/// A call could not be delivered: the silo it was sent to is unreachable, leaving, dead, or this silo stopped
/// serving. The grain did not run the call, so the caller may retry (after the membership view moved on).
/// </summary>
public sealed class SiloUnavailableException(string message, Exception? inner = null) : RetryableGrainException(message, inner);
