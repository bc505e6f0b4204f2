using Granary.Runtime.Membership;

namespace Granary.Runtime.Transport;

/// <summary>
/// Carries grain calls between silos. Implementations: <see cref="InProcessSiloNetwork"/> (several silos in one
/// process, for tests) and <see cref="Http.HttpSiloTransport"/> (HTTP/2: Kestrel on each silo, a pooled HttpClient).
/// </summary>
/// <remarks>
/// Contract: <see cref="SendAsync"/> returns the grain's result or throws its exception; it throws
/// <see cref="SiloUnavailableException"/> only when the call certainly did not run (refused or never sent), and
/// otherwise (a lost connection, a timeout) the outcome is unknown and the call is never retried automatically.
/// Cancelling the token (the caller's cancellation or deadline) cancels the call on the receiving silo.
/// </remarks>
public interface ISiloTransport : IAsyncDisposable
{
    /// <summary>Starts accepting calls for <paramref name="self"/>, handing each to <paramref name="handler"/>.</summary>
    Task BindAsync(SiloAddress self, ISiloRequestHandler handler, CancellationToken cancellationToken);

    /// <summary>Sends a call to <paramref name="target"/> and returns its outcome.</summary>
    Task<object?> SendAsync(SiloAddress target, SiloRequest request, CancellationToken cancellationToken);

    /// <summary>Stops accepting calls (calls in flight finish).</summary>
    Task UnbindAsync();
}

/// <summary>The receiving side of a transport: a silo's runtime.</summary>
public interface ISiloRequestHandler
{
    /// <summary>Delivers a call that arrived from another silo; <paramref name="cancellationToken"/> fires when the sender gives up.</summary>
    Task<object?> HandleAsync(SiloRequest request, CancellationToken cancellationToken);
}
