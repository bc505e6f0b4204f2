using Granary.Silo.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Granary.Silo.Api;

/// <summary>
/// <c>/api/v1/cluster</c>: this silo's view of the cluster — its own identity and status, every member of the
/// membership table as it last read it, and how many grains of each kind are active here (where a resource runs).
/// </summary>
public static class ClusterEndpoints
{
    /// <summary>Maps the endpoint onto <paramref name="api"/>.</summary>
    public static void Map(RouteGroupBuilder api, Runtime.Silo silo, TokenAuthorization authorization) =>
        api.MapGroup("/cluster").AddEndpointFilter(authorization.Require(ApiRole.Read)).MapGet("", () => Results.Ok(ClusterState.Of(silo)));
}

/// <summary>What a silo answers about the cluster.</summary>
/// <param name="Silo">This silo's name.</param>
/// <param name="Member">Its identity in the membership table (<c>host:port@generation</c>); null for a single silo.</param>
/// <param name="Status">Its status in its own view (Active, ShuttingDown, …); null for a single silo.</param>
/// <param name="ViewVersion">The version of the membership view it routes by; null for a single silo.</param>
/// <param name="Members">Every silo in that view, Dead ones included until they are cleaned up.</param>
/// <param name="Activations">How many grains of each kind are active in this silo.</param>
public sealed record ClusterState(string Silo, string? Member, string? Status, long? ViewVersion, IReadOnlyList<ClusterMember> Members, IReadOnlyDictionary<string, int> Activations)
{
    /// <summary>The state of <paramref name="silo"/> now.</summary>
    public static ClusterState Of(Runtime.Silo silo)
    {
        var view = silo.ClusterView;
        var self = silo.Address;
        var members = view?.Members.Select(m => new ClusterMember(m.Silo.Endpoint, m.Silo.Generation, m.Name, m.Status.ToString(), m.StartedAt, m.HeartbeatAt)).ToList() ?? [];
        var activations = silo.ActiveGrains.GroupBy(g => g.Kind, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new ClusterState(silo.Options.Name, self?.ToString(), self is { } address ? view?.StatusOf(address).ToString() : null, view?.Version, members, activations);
    }
}

/// <summary>One silo in the membership view.</summary>
/// <param name="Endpoint">Where peers call it (<c>host:port</c>).</param>
/// <param name="Generation">Which start of the process at that endpoint it is.</param>
/// <param name="Name">Its name (the Pod name in a StatefulSet).</param>
/// <param name="Status">Joining, Active, ShuttingDown or Dead.</param>
/// <param name="StartedAt">When it joined (database clock).</param>
/// <param name="HeartbeatAt">When it last renewed its lease (database clock).</param>
public sealed record ClusterMember(string Endpoint, long Generation, string Name, string Status, DateTime StartedAt, DateTime HeartbeatAt);
