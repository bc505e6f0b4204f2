using Granary.Contracts.Grains;

namespace Granary.Runtime.Transport;

/// <summary>
/// The call context that travels with a call between silos: the root cause (correlation), the caller's message
/// id (the callee's causation), the actor, the W3C trace context, the time left before the deadline, and the grains
/// waiting on the call (so a cycle through another silo re-enters instead of deadlocking).
/// </summary>
public sealed record CallHeaders(
    string? CorrelationId,
    string? CausationId,
    string? Actor,
    string? TraceParent,
    string? TraceState,
    TimeSpan? Timeout,
    IReadOnlyList<GrainId> Chain);
