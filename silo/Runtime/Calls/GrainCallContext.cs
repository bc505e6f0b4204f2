using System.Diagnostics;
using Granary.Contracts.Grains;

namespace Granary.Runtime.Calls;

/// <summary>
/// What flows with every grain call: the root cause (correlation), the message that caused this one
/// (causation), who acted, the chain of grains awaiting this call, and the deadline.
/// </summary>
public sealed class GrainCallContext
{
    // AsyncLocal is how call context flows in .NET (Orleans' RequestContext does the same); the runtime sets it
    // for each turn and it never leaks into the caller because async methods restore it on return.
    private static readonly AsyncLocal<GrainCallContext?> CurrentContext = new();

    private string? _correlationId;
    private string? _messageId;

    /// <param name="correlationId">The root cause; null makes this message the root (its id is the correlation id).</param>
    /// <param name="causationId">The message that caused this one.</param>
    /// <param name="messageId">This message's id; null makes one on first use (most calls never need it).</param>
    /// <param name="actor">Who acted.</param>
    /// <param name="chain">The grains awaiting this call.</param>
    /// <param name="deadline">The Stopwatch timestamp after which the call has failed.</param>
    internal GrainCallContext(string? correlationId, string? causationId, string? messageId, string? actor, CallChain? chain, long deadline)
    {
        _correlationId = correlationId;
        CausationId = causationId;
        _messageId = messageId;
        Actor = actor;
        Chain = chain;
        Deadline = deadline;
    }

    /// <summary>The context of the running call or turn, or null outside any.</summary>
    public static GrainCallContext? Current
    {
        get => CurrentContext.Value;
        internal set => CurrentContext.Value = value;
    }

    /// <summary>The root cause of this chain of calls (a webhook delivery, a commit, a user request).</summary>
    public string CorrelationId => _correlationId ?? MessageId;

    /// <summary>The message that caused the current one.</summary>
    public string? CausationId { get; }

    /// <summary>The id of the current message; calls made from here carry it as their causation id.</summary>
    public string MessageId => _messageId ?? Interlocked.CompareExchange(ref _messageId, NewId(), null) ?? _messageId;

    /// <summary>Who acted.</summary>
    public string? Actor { get; }

    /// <summary>The grains whose turns are awaiting this call, innermost first.</summary>
    internal CallChain? Chain { get; }

    /// <summary>The <see cref="Stopwatch"/> timestamp after which the call has failed.</summary>
    internal long Deadline { get; }

    /// <summary>
    /// Starts a root context for calls made outside grains (an API request, a webhook): calls made inside the
    /// returned scope carry this correlation id and actor. Dispose to restore the previous context.
    /// </summary>
    public static IDisposable Begin(string? correlationId = null, string? actor = null)
    {
        var previous = Current;
        var id = NewId();
        Current = new GrainCallContext(correlationId ?? id, previous?.MessageId, id, actor ?? previous?.Actor, previous?.Chain, previous?.Deadline ?? long.MaxValue);
        return new Restore(previous);
    }

    internal static string NewId() => Guid.CreateVersion7().ToString("N");

    private sealed class Restore(GrainCallContext? previous) : IDisposable
    {
        public void Dispose() => Current = previous;
    }
}

/// <summary>An immutable list of the grains whose turns are waiting on a call; lets a chain re-enter a grain it is already inside.</summary>
internal sealed class CallChain(GrainId grain, CallChain? outer)
{
    public GrainId Grain { get; } = grain;

    public CallChain? Outer { get; } = outer;

    public bool Contains(GrainId id)
    {
        for (var link = this; link is not null; link = link.Outer)
        {
            if (link.Grain == id)
            {
                return true;
            }
        }

        return false;
    }
}
