using System.Collections.Concurrent;
using Granary.Runtime.Membership;

namespace Granary.Runtime.Transport;

/// <summary>
/// A network for several silos in one process: each silo gets a transport from <see cref="CreateTransport"/>, and
/// calls cross on the thread pool with nothing but the request (no ambient call context leaks across, as over a
/// wire). <see cref="Isolate"/> cuts an endpoint off, as a network partition or a killed process would.
/// </summary>
public sealed class InProcessSiloNetwork
{
    private readonly ConcurrentDictionary<string, (SiloAddress Silo, ISiloRequestHandler Handler)> _silos = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _isolated = new(StringComparer.Ordinal);

    /// <summary>A transport for one silo on this network.</summary>
    public ISiloTransport CreateTransport() => new InProcessTransport(this);

    /// <summary>Cuts <paramref name="endpoint"/> off: calls to and from it fail as unreachable.</summary>
    public void Isolate(string endpoint) => _isolated[endpoint] = true;

    /// <summary>Reconnects an isolated endpoint.</summary>
    public void Heal(string endpoint) => _isolated.TryRemove(endpoint, out _);

    private sealed class InProcessTransport(InProcessSiloNetwork network) : ISiloTransport
    {
        private SiloAddress? _self;

        public Task BindAsync(SiloAddress self, ISiloRequestHandler handler, CancellationToken cancellationToken)
        {
            if (!network._silos.TryAdd(self.Endpoint, (self, handler)))
            {
                throw new InvalidOperationException($"Endpoint {self.Endpoint} is already bound on this in-process network; give each silo its own ClusterOptions.Endpoint.");
            }

            _self = self;
            return Task.CompletedTask;
        }

        public Task<object?> SendAsync(SiloAddress target, SiloRequest request, CancellationToken cancellationToken)
        {
            if (_self is { } self && network._isolated.ContainsKey(self.Endpoint) || network._isolated.ContainsKey(target.Endpoint))
            {
                throw new SiloUnavailableException($"Silo {target} is unreachable from {_self}: the network between them is cut.");
            }

            if (!network._silos.TryGetValue(target.Endpoint, out var bound) || bound.Silo != target)
            {
                throw new SiloUnavailableException($"Silo {target} is not listening (it stopped, or another generation took its endpoint).");
            }

            // As over a wire: a copy of the arguments, and no ExecutionContext (so no AsyncLocal call context) crosses.
            var copy = request with { Arguments = (object?[])request.Arguments.Clone() };
            using (ExecutionContext.SuppressFlow())
            {
                return Task.Run(() => bound.Handler.HandleAsync(copy, cancellationToken), CancellationToken.None);
            }
        }

        public Task UnbindAsync()
        {
            if (_self is { } self && network._silos.TryGetValue(self.Endpoint, out var bound) && bound.Silo == self)
            {
                network._silos.TryRemove(new KeyValuePair<string, (SiloAddress, ISiloRequestHandler)>(self.Endpoint, bound));
            }

            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => new(UnbindAsync());
    }
}
